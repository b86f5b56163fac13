//! The signal table of `rules/signals.json`, built into statics by
//! `build.rs`: what a piece of a config or log says about the machine.

/// Where a signal is looked for, and how its `pattern` is compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignalKind {
    /// `AAPL,ig-platform-id` / `AAPL,snb-platform-id` (hex, as a 32-bit value).
    IgPlatformId,
    /// The iGPU's `device-id` property: a spoof (hex, 16-bit).
    IgpuDeviceId,
    /// `Kernel/Emulate/Cpuid1Data`: the CPUID leaf 1 EAX being faked (hex).
    Cpuid1,
    /// `Kernel/Patch/*/Base`, exactly.
    PatchBase,
    /// `Kernel/Patch/*/Comment`, contains (ignoring case).
    PatchComment,
    /// An enabled kext's bundle name, exactly (ignoring case).
    Kext,
    /// An enabled ACPI table's file name, contains (ignoring case).
    Acpi,
    /// An enabled UEFI driver's file name, starts with (ignoring case).
    Driver,
    /// A boolean at this path is true.
    Quirk,
    /// A key of some `NVRAM/Add` GUID, exactly.
    NvramKey,
    /// A string value in `DeviceProperties/Add`, exactly (ignoring case).
    PropertyValue,
    /// `SystemProductName`, exactly (ignoring case).
    Smbios,
    /// `SystemProductName` starts with.
    SmbiosPrefix,
    /// The log's CPU signature, `family:model` (hex; `*` any model).
    CpuModel,
    /// The log's CPU brand string: Core generation and form (`10/laptop`).
    CpuGen,
    /// A token of the boot arguments (`NVRAM/Add/*/boot-args`, Clover's
    /// `Boot/Arguments`): the token itself or `token=value`.
    BootArg,
    /// A hardware name (chipset, PCH, iGPU) written as a phrase in a
    /// `Comment`, a kext or ACPI table file name, or a DeviceProperties
    /// `model`/`name` value (see `super::names`).
    Name,
    /// An enabled `ACPI/Delete` entry whose `OemTableId` is this text.
    AcpiDelete,
    /// A `device-id` property written on a device other than the iGPU
    /// (hex, 16-bit): a spoof that names the real device.
    PciDeviceId,
}

/// One entry of the signal table.
#[derive(Debug, Clone)]
pub struct SignalDef {
    /// Where to look.
    pub kind: SignalKind,
    /// What to compare with.
    pub pattern: &'static str,
    /// What it points to, as written in the table (slugs or group names).
    pub points_to: &'static str,
    /// The platform slugs it points to (groups expanded), sorted.
    pub targets: &'static [&'static str],
    /// 1 hint, 2 likely, 3 identifies, 10 the log names the CPU; 0 never
    /// scored, read by a tie-break only (see `super::tiebreak`).
    pub weight: u8,
    /// Why it means that, when not obvious.
    pub note: Option<&'static str>,
    /// For ACPI signals: the table counts only when no enabled table's
    /// name contains this (`SSDT-EC` without any `USBX` table).
    pub unless: Option<&'static str>,
}

include!(concat!(env!("OUT_DIR"), "/signals.rs"));
