//! Typed views of a loaded config.
//!
//! Builds [`Config`] from a [`crate::plist::Document`]: the handful of
//! settings the KASLR rules read, each remembering the node it came from
//! (span and key path), so a value and its location can never disagree.
//! Values of the wrong plist type are recorded as [`TypeError`]s and the
//! field is marked [`State::Mistyped`]; this module never reports anything.

mod build;
mod clover;
mod files;

pub use build::build;
pub use clover::{
    CLOVER_DEFAULT_TRUE, KIND_EXPECTATION, OCQUIRKS_DEFAULT_TRUE, build_clover, build_kind,
    build_ocquirks, detect_kind, is_comment_key,
};
pub use files::{FileItem, PathValue, Section, efi_files};

use serde::Serialize;

use crate::plist::Node;
use crate::source::Span;

/// The Apple boot variables GUID, under which `boot-args` lives.
pub const APPLE_BOOT_GUID: &str = "7C436110-AB2A-4BBB-A880-FE41995C9F82";

/// Which program reads this file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ConfigKind {
    /// An OpenCore `config.plist`.
    #[serde(rename = "opencore")]
    OpenCore,
    /// A Clover `config.plist`.
    Clover,
    /// A Clover-era `OcQuirks.plist`.
    #[serde(rename = "ocquirks")]
    OcQuirks,
}

/// Where a value sits: its element's span and its key path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Located {
    /// The value element's byte range.
    #[serde(skip)]
    pub span: Span,
    /// The key path, components joined with `/`.
    pub path: String,
}

/// Whether a setting is written in the file, and with the right type.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum State {
    /// Written, with the expected type.
    Present,
    /// Not written: the program's default applies.
    #[default]
    Absent,
    /// Written with another type: the program ignores it and uses its default.
    Mistyped,
}

/// One typed setting: the value the boot loader will use and where it came from.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Field<T> {
    /// The value the loader uses (the written value, or its default).
    pub value: T,
    /// Whether it is written, and with the right type.
    pub state: State,
    /// Where it is written (`None` when absent).
    pub at: Option<Located>,
}

impl<T: Default> Default for Field<T> {
    fn default() -> Self {
        Field {
            value: T::default(),
            state: State::Absent,
            at: None,
        }
    }
}

impl<T> Field<T> {
    /// The written value when present with the right type.
    pub fn present(&self) -> Option<&T> {
        (self.state == State::Present).then_some(&self.value)
    }

    /// True when the rule reading this field should be skipped (mistyped).
    pub fn mistyped(&self) -> bool {
        self.state == State::Mistyped
    }
}

/// A dict the rules may need to point at or insert into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DictLoc {
    /// The dict's location.
    pub at: Located,
}

/// The Booter quirks the KASLR rules read (OpenCore `Booter/Quirks`, Clover root `Quirks`).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BooterQuirks {
    /// Where the quirks dict is (`None` when missing).
    pub dict: Option<Located>,
    /// The dict's key path, even when it is missing (`Booter/Quirks` or `Quirks`).
    pub path: String,
    /// AllowRelocationBlock.
    pub allow_relocation_block: Field<bool>,
    /// AvoidRuntimeDefrag.
    pub avoid_runtime_defrag: Field<bool>,
    /// ClearTaskSwitchBit.
    pub clear_task_switch_bit: Field<bool>,
    /// DevirtualiseMmio.
    pub devirtualise_mmio: Field<bool>,
    /// DisableVariableWrite.
    pub disable_variable_write: Field<bool>,
    /// EnableSafeModeSlide.
    pub enable_safe_mode_slide: Field<bool>,
    /// EnableWriteUnprotector.
    pub enable_write_unprotector: Field<bool>,
    /// ProtectUefiServices.
    pub protect_uefi_services: Field<bool>,
    /// ProvideCustomSlide.
    pub provide_custom_slide: Field<bool>,
    /// ProvideMaxSlide (an integer; OpenCore keeps the low byte).
    pub provide_max_slide: Field<i64>,
    /// RebuildAppleMemoryMap.
    pub rebuild_apple_memory_map: Field<bool>,
    /// SetupVirtualMap.
    pub setup_virtual_map: Field<bool>,
    /// SyncRuntimePermissions.
    pub sync_runtime_permissions: Field<bool>,
}

impl BooterQuirks {
    /// The boolean quirk with this plist key name.
    pub fn flag(&self, key: &str) -> Option<&Field<bool>> {
        Some(match key {
            "AllowRelocationBlock" => &self.allow_relocation_block,
            "AvoidRuntimeDefrag" => &self.avoid_runtime_defrag,
            "ClearTaskSwitchBit" => &self.clear_task_switch_bit,
            "DevirtualiseMmio" => &self.devirtualise_mmio,
            "DisableVariableWrite" => &self.disable_variable_write,
            "EnableSafeModeSlide" => &self.enable_safe_mode_slide,
            "EnableWriteUnprotector" => &self.enable_write_unprotector,
            "ProtectUefiServices" => &self.protect_uefi_services,
            "ProvideCustomSlide" => &self.provide_custom_slide,
            "RebuildAppleMemoryMap" => &self.rebuild_apple_memory_map,
            "SetupVirtualMap" => &self.setup_virtual_map,
            "SyncRuntimePermissions" => &self.sync_runtime_permissions,
            _ => return None,
        })
    }

    /// Mutable access to the boolean quirk with this key name.
    pub fn flag_mut(&mut self, key: &str) -> Option<&mut Field<bool>> {
        Some(match key {
            "AllowRelocationBlock" => &mut self.allow_relocation_block,
            "AvoidRuntimeDefrag" => &mut self.avoid_runtime_defrag,
            "ClearTaskSwitchBit" => &mut self.clear_task_switch_bit,
            "DevirtualiseMmio" => &mut self.devirtualise_mmio,
            "DisableVariableWrite" => &mut self.disable_variable_write,
            "EnableSafeModeSlide" => &mut self.enable_safe_mode_slide,
            "EnableWriteUnprotector" => &mut self.enable_write_unprotector,
            "ProtectUefiServices" => &mut self.protect_uefi_services,
            "ProvideCustomSlide" => &mut self.provide_custom_slide,
            "RebuildAppleMemoryMap" => &mut self.rebuild_apple_memory_map,
            "SetupVirtualMap" => &mut self.setup_virtual_map,
            "SyncRuntimePermissions" => &mut self.sync_runtime_permissions,
            _ => return None,
        })
    }
}

/// The boolean Booter quirk keys the model reads, in Sample.plist order.
pub const BOOTER_FLAGS: &[&str] = &[
    "AllowRelocationBlock",
    "AvoidRuntimeDefrag",
    "ClearTaskSwitchBit",
    "DevirtualiseMmio",
    "DisableVariableWrite",
    "EnableSafeModeSlide",
    "EnableWriteUnprotector",
    "ProtectUefiServices",
    "ProvideCustomSlide",
    "RebuildAppleMemoryMap",
    "SetupVirtualMap",
    "SyncRuntimePermissions",
];

/// One `Booter/MmioWhitelist` entry.
#[derive(Debug, Clone, Serialize)]
pub struct MmioEntry {
    /// The entry dict's location (`Booter/MmioWhitelist/N`).
    pub at: Located,
    /// Address.
    pub address: Field<i64>,
    /// Enabled (default false).
    pub enabled: Field<bool>,
    /// Comment.
    pub comment: Field<String>,
}

/// The MmioWhitelist array.
#[derive(Debug, Clone, Serialize)]
pub struct MmioWhitelist {
    /// The array's location.
    pub at: Located,
    /// Its entries (dicts only; other items are type errors).
    pub entries: Vec<MmioEntry>,
}

/// One `UEFI/Drivers` entry, in either of OpenCore's formats.
#[derive(Debug, Clone, Serialize)]
pub struct Driver {
    /// The entry's location (`UEFI/Drivers/N`).
    pub at: Located,
    /// The driver path as OpenCore reads it (without the `#` of the old format).
    pub path: String,
    /// Whether OpenCore loads it.
    pub enabled: bool,
    /// The old string format (before 0.7.3) rather than a dict.
    pub legacy_string: bool,
    /// Where `Enabled` is written (dict format only).
    pub enabled_at: Option<Located>,
}

/// The UEFI/Drivers array.
#[derive(Debug, Clone, Serialize)]
pub struct Drivers {
    /// The array's location.
    pub at: Located,
    /// Entries in order.
    pub entries: Vec<Driver>,
}

/// A string setting that holds boot arguments.
#[derive(Debug, Clone, Serialize)]
pub struct ArgString {
    /// The arguments text.
    pub value: String,
    /// Where it is.
    pub at: Located,
    /// Written as `<data>` rather than `<string>` (not edited in place).
    pub is_data: bool,
}

/// The NVRAM settings the rules read.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Nvram {
    /// The NVRAM dict.
    pub dict: Option<Located>,
    /// `NVRAM/Add` dict.
    pub add: Option<Located>,
    /// `NVRAM/Delete` dict.
    pub delete: Option<Located>,
    /// `NVRAM/Delete/<Apple GUID>` array, with its strings.
    pub delete_apple: Option<(Located, Vec<String>)>,
    /// `NVRAM/Block` dict: the name of NVRAM/Delete up to OpenCore 0.5.8.
    pub block: Option<Located>,
    /// `NVRAM/Block/<Apple GUID>` array, with its strings.
    pub block_apple: Option<(Located, Vec<String>)>,
    /// `NVRAM/Add/<Apple GUID>` dict.
    pub add_apple: Option<Located>,
    /// `NVRAM/WriteFlash`.
    pub write_flash: Field<bool>,
    /// Whether `NVRAM/LegacySchema` is present.
    pub legacy_schema: bool,
}

/// What a rule needs to know about one config file.
#[derive(Debug, Clone, Serialize)]
pub struct Config {
    /// Which program reads it.
    pub kind: ConfigKind,
    /// The root dict's location.
    pub root: Located,
    /// The Booter quirks.
    pub quirks: BooterQuirks,
    /// `UEFI/Quirks/RequestBootVarRouting`.
    pub request_boot_var_routing: Field<bool>,
    /// `Booter/MmioWhitelist`.
    pub mmio_whitelist: Option<MmioWhitelist>,
    /// `UEFI/Drivers`.
    pub drivers: Option<Drivers>,
    /// The main boot arguments (`NVRAM/Add/<Apple GUID>/boot-args`).
    pub boot_args: Option<ArgString>,
    /// Per-entry arguments (`Misc/Entries/N/Arguments`, `Misc/Tools/N/Arguments`).
    pub entry_args: Vec<ArgString>,
    /// NVRAM.
    pub nvram: Nvram,
    /// `PlatformInfo/Generic/SystemProductName`.
    pub product_name: Option<String>,
    /// Values found with a type the loader does not accept.
    pub type_errors: Vec<TypeError>,
}

/// A value of the wrong plist type.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct TypeError {
    /// Where it is.
    pub at: Located,
    /// The type expected (`boolean`, `integer`, ...).
    pub expected: &'static str,
    /// The type found.
    pub found: &'static str,
    /// A note on how the loader will read it.
    pub note: String,
}

/// Look a node up by key path (OpenCore reading).
pub fn node_at<'a>(root: &'a Node, path: &str) -> Option<&'a Node> {
    root.pointer(path)
}
