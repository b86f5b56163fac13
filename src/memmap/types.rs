//! Memory descriptor types shared by the parsers and the simulation.

use serde::Serialize;

/// Size of one UEFI page in bytes.
pub const PAGE_SIZE: u64 = 4096;

/// `EFI_MEMORY_RUNTIME`: attribute bit 63, the region stays mapped for the OS.
pub const EFI_MEMORY_RUNTIME: u64 = 1 << 63;

/// A UEFI memory type (`EFI_MEMORY_TYPE`), 0..=15, or an OEM/OS value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub enum MemType {
    /// 0 `EfiReservedMemoryType` (shell label `Reserved`).
    Reserved,
    /// 1 `EfiLoaderCode`.
    LoaderCode,
    /// 2 `EfiLoaderData`.
    LoaderData,
    /// 3 `EfiBootServicesCode` (`BS_Code`).
    BootServicesCode,
    /// 4 `EfiBootServicesData` (`BS_Data`).
    BootServicesData,
    /// 5 `EfiRuntimeServicesCode` (`RT_Code`).
    RuntimeServicesCode,
    /// 6 `EfiRuntimeServicesData` (`RT_Data`).
    RuntimeServicesData,
    /// 7 `EfiConventionalMemory` (`Available`): the only type the kernel may use.
    Conventional,
    /// 8 `EfiUnusableMemory`.
    Unusable,
    /// 9 `EfiACPIReclaimMemory` (`ACPI_Recl`).
    AcpiReclaim,
    /// 10 `EfiACPIMemoryNVS` (`ACPI_NVS`).
    AcpiNvs,
    /// 11 `EfiMemoryMappedIO` (`MMIO`): the type `DevirtualiseMmio` acts on.
    Mmio,
    /// 12 `EfiMemoryMappedIOPortSpace` (`MMIO_Port`).
    MmioPort,
    /// 13 `EfiPalCode`.
    PalCode,
    /// 14 `EfiPersistentMemory`.
    Persistent,
    /// 15 `EfiUnacceptedMemoryType`.
    Unaccepted,
    /// Any other value (OEM and OS types, printed by the shell as 8 hex digits).
    Other(u32),
}

/// Shell labels in type order (index = type number).
const SHELL_LABELS: [&str; 16] = [
    "Reserved",
    "LoaderCode",
    "LoaderData",
    "BS_Code",
    "BS_Data",
    "RT_Code",
    "RT_Data",
    "Available",
    "Unusable",
    "ACPI_Recl",
    "ACPI_NVS",
    "MMIO",
    "MMIO_Port",
    "PalCode",
    "Persistent",
    "Unaccepted",
];

/// Full names the shell prints with `memmap -sfo`, in type order.
const SFO_NAMES: [&str; 16] = [
    "Reserved",
    "LoaderCode",
    "LoaderData",
    "BootServiceCode",
    "BootServiceData",
    "RuntimeCode",
    "RuntimeData",
    "Available",
    "UnusableMemory",
    "ACPIReclaimMemory",
    "ACPIMemoryNVS",
    "MemoryMappedIO",
    "MemoryMappedIOPortSpace",
    "PalCode",
    "Persistent",
    "Unaccepted",
];

/// Names Linux prints with `efi=debug`, in type order.
const LINUX_NAMES: [&str; 16] = [
    "Reserved",
    "Loader Code",
    "Loader Data",
    "Boot Code",
    "Boot Data",
    "Runtime Code",
    "Runtime Data",
    "Conventional",
    "Unusable",
    "ACPI Reclaim",
    "ACPI Mem NVS",
    "MMIO",
    "MMIO Port",
    "PAL Code",
    "Persistent",
    "Unaccepted",
];

/// Specification names (`EfiConventionalMemory`), in type order.
const SPEC_NAMES: [&str; 16] = [
    "EfiReservedMemoryType",
    "EfiLoaderCode",
    "EfiLoaderData",
    "EfiBootServicesCode",
    "EfiBootServicesData",
    "EfiRuntimeServicesCode",
    "EfiRuntimeServicesData",
    "EfiConventionalMemory",
    "EfiUnusableMemory",
    "EfiACPIReclaimMemory",
    "EfiACPIMemoryNVS",
    "EfiMemoryMappedIO",
    "EfiMemoryMappedIOPortSpace",
    "EfiPalCode",
    "EfiPersistentMemory",
    "EfiUnacceptedMemoryType",
];

impl MemType {
    /// The type for a raw `EFI_MEMORY_TYPE` value.
    pub fn from_u32(value: u32) -> MemType {
        use MemType::*;
        match value {
            0 => Reserved,
            1 => LoaderCode,
            2 => LoaderData,
            3 => BootServicesCode,
            4 => BootServicesData,
            5 => RuntimeServicesCode,
            6 => RuntimeServicesData,
            7 => Conventional,
            8 => Unusable,
            9 => AcpiReclaim,
            10 => AcpiNvs,
            11 => Mmio,
            12 => MmioPort,
            13 => PalCode,
            14 => Persistent,
            15 => Unaccepted,
            other => Other(other),
        }
    }

    /// The raw `EFI_MEMORY_TYPE` value.
    pub fn as_u32(self) -> u32 {
        use MemType::*;
        match self {
            Reserved => 0,
            LoaderCode => 1,
            LoaderData => 2,
            BootServicesCode => 3,
            BootServicesData => 4,
            RuntimeServicesCode => 5,
            RuntimeServicesData => 6,
            Conventional => 7,
            Unusable => 8,
            AcpiReclaim => 9,
            AcpiNvs => 10,
            Mmio => 11,
            MmioPort => 12,
            PalCode => 13,
            Persistent => 14,
            Unaccepted => 15,
            Other(v) => v,
        }
    }

    fn standard_index(self) -> Option<usize> {
        let v = self.as_u32();
        (v < 16 && !matches!(self, MemType::Other(_))).then_some(v as usize)
    }

    /// The label the EFI shell's `memmap` prints (`Available`, `BS_Data`...);
    /// `None` for OEM types, which the shell prints as 8 hex digits.
    pub fn shell_label(self) -> Option<&'static str> {
        self.standard_index().map(|i| SHELL_LABELS[i])
    }

    /// A short human name: the shell label, or `OEM 0x...` for other types.
    pub fn name(self) -> String {
        match self.shell_label() {
            Some(label) => label.to_string(),
            None => format!("OEM 0x{:08X}", self.as_u32()),
        }
    }

    /// Recognise a shell label, an `-sfo` full name or a specification name.
    pub fn from_label(label: &str) -> Option<MemType> {
        let find = |table: &[&str; 16]| table.iter().position(|n| *n == label);
        find(&SHELL_LABELS)
            .or_else(|| find(&SFO_NAMES))
            .or_else(|| find(&SPEC_NAMES))
            .map(|i| MemType::from_u32(i as u32))
    }

    /// Recognise a Linux `efi=debug` type name (`Conventional`, `Boot Data`...).
    pub fn from_linux_name(name: &str) -> Option<MemType> {
        LINUX_NAMES
            .iter()
            .position(|n| *n == name)
            .map(|i| MemType::from_u32(i as u32))
    }

    /// Every label a shell line may start with, longest first so that
    /// `MMIO_Port` is tried before `MMIO`.
    pub(crate) fn shell_prefixes() -> Vec<(&'static str, MemType)> {
        let mut all: Vec<(&'static str, MemType)> = SHELL_LABELS
            .iter()
            .chain(SFO_NAMES.iter())
            .chain(SPEC_NAMES.iter())
            .enumerate()
            .map(|(i, n)| (*n, MemType::from_u32((i % 16) as u32)))
            .collect();
        all.sort_by(|a, b| b.0.len().cmp(&a.0.len()).then(a.0.cmp(b.0)));
        all.dedup_by(|a, b| a.0 == b.0);
        all
    }
}

/// One memory descriptor, as read from the evidence.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Descriptor {
    /// Memory type.
    pub mem_type: MemType,
    /// Physical start address.
    pub start: u64,
    /// Number of 4 KiB pages (what OpenCore uses; an `End` column is only checked).
    pub pages: u64,
    /// Attribute bits (`EFI_MEMORY_RUNTIME` is bit 63).
    pub attributes: u64,
    /// 1-based line in the decoded text (0 when built in code).
    pub line: usize,
}

impl Descriptor {
    /// Exclusive end address, saturated at `u64::MAX` when it would overflow.
    pub fn end(&self) -> u64 {
        self.start
            .saturating_add(self.pages.saturating_mul(PAGE_SIZE))
    }

    /// Size in bytes, saturated at `u64::MAX`.
    pub fn size(&self) -> u64 {
        self.pages.saturating_mul(PAGE_SIZE)
    }

    /// Whether the `EFI_MEMORY_RUNTIME` attribute is set.
    pub fn is_runtime(&self) -> bool {
        self.attributes & EFI_MEMORY_RUNTIME != 0
    }

    /// Whether `address` lies in `[start, start + pages * 4096)`.
    pub fn contains(&self, address: u64) -> bool {
        address >= self.start && address < self.end()
    }
}

/// A memory map in file order (OpenCore does not sort it).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct MemoryMap {
    /// Descriptors in the order the evidence lists them.
    pub descriptors: Vec<Descriptor>,
    /// Lines that were neither descriptors nor known headers or summaries.
    pub unparsed_lines: usize,
    /// Problems found while reading (bad End column, overflow, decoding).
    pub warnings: Vec<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn type_numbers_round_trip() {
        for v in 0..40u32 {
            assert_eq!(MemType::from_u32(v).as_u32(), v);
        }
        assert_eq!(MemType::from_u32(0x7000_0000), MemType::Other(0x7000_0000));
    }

    #[test]
    fn labels() {
        assert_eq!(
            MemType::from_label("Available"),
            Some(MemType::Conventional)
        );
        assert_eq!(MemType::from_label("MemoryMappedIO"), Some(MemType::Mmio));
        assert_eq!(
            MemType::from_label("EfiACPIMemoryNVS"),
            Some(MemType::AcpiNvs)
        );
        assert_eq!(
            MemType::from_linux_name("Boot Data"),
            Some(MemType::BootServicesData)
        );
        assert_eq!(MemType::Mmio.shell_label(), Some("MMIO"));
        assert_eq!(MemType::Other(0x8000_0001).name(), "OEM 0x80000001");
        let prefixes = MemType::shell_prefixes();
        let port = prefixes.iter().position(|p| p.0 == "MMIO_Port");
        let mmio = prefixes.iter().position(|p| p.0 == "MMIO");
        assert!(port < mmio);
    }

    #[test]
    fn descriptor_end_saturates() {
        let d = Descriptor {
            mem_type: MemType::Conventional,
            start: u64::MAX - 10,
            pages: 5,
            attributes: 0,
            line: 0,
        };
        assert_eq!(d.end(), u64::MAX);
        assert!(d.contains(u64::MAX - 1));
    }
}
