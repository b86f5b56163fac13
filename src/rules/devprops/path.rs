//! Text device paths as OpenCore reads them (`PciRoot(0x0)/Pci(0x1F,0x3)`).
//!
//! OpenCore turns the text of a `DeviceProperties` key or of
//! `UEFI/Audio/AudioDevice` into a binary device path with EDK2's text
//! parser, and its validator calls a path sound when printing that binary
//! path gives back the text it started from, ignoring case. This module
//! restates both directions for the node types configs use: [`parse`] reads
//! text into a [`DevicePath`] the way EDK2 does (numbers without `0x` are
//! decimal, digits stop at the first other character, values are cut to
//! the field's width, missing parameters read as 0), [`print`] writes it the
//! way EDK2 does, and [`round_trip`] compares the two.
//!
//! Node types read here: `Pci`, `PciRoot`, `PcieRoot`, `Acpi` (with
//! `Floppy`, `Keyboard`, `Serial`, `ParallelPort`, the `PNP` IDs EDK2 names),
//! `AcpiAdr`, `Ctrl`, `Ata`, `Scsi`, `USB`, `Sata`, `NVMe`, `HD`, and file
//! path nodes. A node whose name EDK2 does not know (`PicRoot(0x0)`, a
//! lower-case `pci(...)`, `#PciRoot`) is a file path node to EDK2: it prints
//! back as written, so it round-trips, as it does for ocvalidate.
//!
//! Out of scope: the other node types EDK2 knows (vendor nodes `VenHw`,
//! `VenMsg`, `VenMedia`, ...; `AcpiEx`/`AcpiExp`; network nodes `MAC`,
//! `IPv4`, `IPv6`, `Uri`, ...; `MemoryMapped`, `PcCard`, `BMC`, `Fibre`,
//! `SAS`, `UFS`, `SD`, `eMMC`, `CDROM`, `Fv`, `FvFile`, `Offset`, `RamDisk`,
//! `BBS`, the generic `Path`/`HardwarePath`/... forms, and so on). A path
//! holding one of them is [`Verdict::Unchecked`]: nothing is claimed about it.

mod printer;

pub use printer::print;

/// One node of a device path, with the fields EDK2 keeps in binary form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Node {
    /// `Pci(device,function)`.
    Pci {
        /// Device number.
        device: u8,
        /// Function number.
        function: u8,
    },
    /// An ACPI node: `PciRoot(uid)`, `PcieRoot(uid)`, ... or `Acpi(hid,uid)`.
    Acpi {
        /// The compressed EISA ID.
        hid: u32,
        /// The unique ID.
        uid: u32,
    },
    /// `AcpiAdr(adr,...)`: one or more `_ADR` values.
    AcpiAdr(Vec<u32>),
    /// `Ctrl(n)`.
    Ctrl(u32),
    /// `Ata(Primary|Secondary,Master|Slave,lun)`.
    Ata {
        /// 1 prints as `Secondary`, anything else as `Primary`.
        secondary: u8,
        /// 1 prints as `Slave`, anything else as `Master`.
        slave: u8,
        /// Logical unit number.
        lun: u16,
    },
    /// `Scsi(pun,lun)`.
    Scsi {
        /// Target ID.
        pun: u16,
        /// Logical unit number.
        lun: u16,
    },
    /// `USB(port,interface)`.
    Usb {
        /// Parent port number.
        port: u8,
        /// Interface number.
        interface: u8,
    },
    /// `Sata(hba,pmp,lun)`.
    Sata {
        /// HBA port number.
        hba: u16,
        /// Port multiplier port (0xFFFF when not given).
        pmp: u16,
        /// Logical unit number.
        lun: u16,
    },
    /// `NVMe(namespace,xx-xx-xx-xx-xx-xx-xx-xx)`.
    Nvme {
        /// Namespace ID.
        namespace: u32,
        /// The IEEE EUI-64, in the order it is written.
        eui: [u8; 8],
    },
    /// `HD(partition,MBR|GPT|type,signature,start,size)`.
    Hd {
        /// Partition number.
        partition: u32,
        /// Signature type and signature.
        signature: Signature,
        /// First LBA.
        start: u64,
        /// Size in blocks.
        size: u64,
    },
    /// A file path node: the text as written.
    File(String),
    /// `,` between two instances of a multi-instance path.
    EndInstance,
}

/// The signature of an `HD` node.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signature {
    /// `MBR` and the 32-bit disk signature.
    Mbr(u32),
    /// `GPT` and the partition GUID's 16 bytes in the order they are written.
    Gpt([u8; 16]),
    /// Another signature type number (EDK2 keeps no signature then).
    Other(u8),
}

/// A parsed device path: its nodes in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DevicePath(pub Vec<Node>);

/// What became of a text device path after conversion and back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// Printing the parsed path gives the text back (ignoring case).
    Same,
    /// Printing gives this other text: OpenCore reads another path.
    Differs(String),
    /// The path holds a node type this module does not read (its name).
    Unchecked(String),
}

/// The node names EDK2's text parser knows that [`parse`] does not read.
const OUT_OF_SCOPE: &[&str] = &[
    "Path",
    "HardwarePath",
    "PcCard",
    "MemoryMapped",
    "VenHw",
    "BMC",
    "AcpiPath",
    "AcpiEx",
    "AcpiExp",
    "Msg",
    "Fibre",
    "FibreEx",
    "I1394",
    "I2O",
    "Infiniband",
    "VenMsg",
    "VenPcAnsi",
    "VenVt100",
    "VenVt100Plus",
    "VenUtf8",
    "UartFlowCtrl",
    "SAS",
    "SasEx",
    "UFS",
    "SD",
    "eMMC",
    "DebugPort",
    "MAC",
    "IPv4",
    "IPv6",
    "Uart",
    "UsbClass",
    "UsbAudio",
    "UsbCDCControl",
    "UsbHID",
    "UsbImage",
    "UsbPrinter",
    "UsbMassStorage",
    "UsbHub",
    "UsbCDCData",
    "UsbSmartCard",
    "UsbVideo",
    "UsbDiagnostic",
    "UsbWireless",
    "UsbDeviceFirmwareUpdate",
    "UsbIrdaBridge",
    "UsbTestAndMeasurement",
    "UsbWwid",
    "Unit",
    "iSCSI",
    "Vlan",
    "Dns",
    "Uri",
    "Bluetooth",
    "Wi-Fi",
    "BluetoothLE",
    "MediaPath",
    "CDROM",
    "VenMedia",
    "Media",
    "Fv",
    "FvFile",
    "Offset",
    "RamDisk",
    "VirtualDisk",
    "VirtualCD",
    "PersistentVirtualDisk",
    "PersistentVirtualCD",
    "BbsPath",
    "BBS",
];

/// The EISA ID EDK2 gives a `PNP` device number.
const fn pnp(id: u32) -> u32 {
    (id << 16) | 0x41D0
}

/// The `PNP` device numbers EDK2 prints by name.
const PNP_NAMES: &[(&str, u32)] = &[
    ("PciRoot", 0x0A03),
    ("PcieRoot", 0x0A08),
    ("Floppy", 0x0604),
    ("Keyboard", 0x0301),
    ("Serial", 0x0501),
    ("ParallelPort", 0x0401),
];

/// Read `text` as EDK2 does. `Err` names a node type out of this module's
/// scope. The empty text is the empty path (OpenCore's validator accepts it).
pub fn parse(text: &str) -> Result<DevicePath, String> {
    let b = text.as_bytes();
    let mut nodes = Vec::new();
    let mut pos = 0;
    while pos < b.len() {
        while pos < b.len() && matches!(b[pos], b'/' | b',' | b'(' | b')') {
            pos += 1;
        }
        let start = pos;
        let mut depth: i64 = 0;
        while pos < b.len() {
            match b[pos] {
                b',' | b'/' if depth == 0 => break,
                b'(' => depth += 1,
                b')' => depth -= 1,
                _ => {}
            }
            pos += 1;
        }
        if depth != 0 {
            // Unbalanced parentheses: EDK2 stops and keeps what it has.
            break;
        }
        let node = &text[start..pos];
        let instance_end = pos < b.len() && b[pos] == b',';
        if pos < b.len() {
            pos += 1;
        }
        // An empty node (after trailing separators) converts to nothing.
        if !node.is_empty() {
            nodes.push(node_of(node)?);
        }
        if instance_end {
            nodes.push(Node::EndInstance);
        }
    }
    Ok(DevicePath(nodes))
}

/// One node's text, read by the parser its name selects.
fn node_of(text: &str) -> Result<Node, String> {
    let Some(open) = text.find('(') else {
        return Ok(Node::File(text.to_owned()));
    };
    let name = &text[..open];
    let inner = &text[open + 1..];
    let params = &inner[..inner.find(')').unwrap_or(inner.len())];
    let mut list = params.split(',');
    let mut next = || list.next().unwrap_or("");
    let node = match name {
        "Pci" => {
            let device = strtoi(next()) as u8;
            let function = strtoi(next()) as u8;
            Node::Pci { device, function }
        }
        "Acpi" => {
            let hid = next();
            let uid = strtoi(next()) as u32;
            Node::Acpi {
                hid: eisa_id(hid).ok_or_else(|| name.to_owned())?,
                uid,
            }
        }
        "AcpiAdr" => {
            let mut adr = vec![0];
            for (i, p) in params.split(',').enumerate() {
                if p.is_empty() {
                    break;
                }
                if i == 0 {
                    adr[0] = strtoi(p) as u32;
                } else {
                    adr.push(strtoi(p) as u32);
                }
            }
            Node::AcpiAdr(adr)
        }
        "Ctrl" => Node::Ctrl(strtoi(next()) as u32),
        "Ata" => {
            let ps = next();
            let sm = next();
            Node::Ata {
                secondary: match ps {
                    "Primary" => 0,
                    "Secondary" => 1,
                    _ => strtoi(ps) as u8,
                },
                slave: match sm {
                    "Master" => 0,
                    "Slave" => 1,
                    _ => strtoi(sm) as u8,
                },
                lun: strtoi(next()) as u16,
            }
        }
        "Scsi" => Node::Scsi {
            pun: strtoi(next()) as u16,
            lun: strtoi(next()) as u16,
        },
        "USB" => Node::Usb {
            port: strtoi(next()) as u8,
            interface: strtoi(next()) as u8,
        },
        "Sata" => {
            let hba = strtoi(next()) as u16;
            let pmp = next();
            let pmp = if pmp.is_empty() {
                0xFFFF
            } else {
                strtoi(pmp) as u16
            };
            Node::Sata {
                hba,
                pmp,
                lun: strtoi(next()) as u16,
            }
        }
        "NVMe" => {
            let namespace = strtoi(next()) as u32;
            let mut parts = next().split('-');
            let mut eui = [0u8; 8];
            for byte in &mut eui {
                *byte = hex(parts.next().unwrap_or("")) as u8;
            }
            Node::Nvme { namespace, eui }
        }
        "HD" => {
            let partition = strtoi(next()) as u32;
            let kind = next();
            let sig = next();
            let signature = match kind {
                "MBR" => Signature::Mbr(strtoi(sig) as u32),
                "GPT" => Signature::Gpt(guid_bytes(sig).unwrap_or([0; 16])),
                _ => Signature::Other(strtoi(kind) as u8),
            };
            Node::Hd {
                partition,
                signature,
                start: strtoi(next()),
                size: strtoi(next()),
            }
        }
        _ => match PNP_NAMES.iter().find(|(n, _)| *n == name) {
            Some(&(_, id)) => Node::Acpi {
                hid: pnp(id),
                uid: strtoi(next()) as u32,
            },
            None if OUT_OF_SCOPE.contains(&name) => return Err(name.to_owned()),
            None => Node::File(text.to_owned()),
        },
    };
    Ok(node)
}

/// Whether `text` survives conversion to binary and back, as OpenCore's
/// validator asks.
pub fn round_trip(text: &str) -> Verdict {
    match parse(text) {
        Err(name) => Verdict::Unchecked(name),
        Ok(path) => {
            let printed = print(&path);
            if printed.eq_ignore_ascii_case(text) {
                Verdict::Same
            } else {
                Verdict::Differs(printed)
            }
        }
    }
}

/// Whether `text` and `printed` (what EDK2 prints for it) differ only in
/// how numbers are spelled, in a way that reads the same to a person and
/// to EDK2: `0x`-prefixed hex with leading zeros or another case
/// (`0x03`, `0X1F`), or a single decimal digit (`0`, `03`), where decimal
/// and hex agree. Then OpenCore uses the device the text names and only
/// the spelling is off; otherwise (`1f` read as 1, `31` read as 0x1F, a
/// dropped node or parameter) the device may be another one.
pub fn same_device(text: &str, printed: &str) -> bool {
    let (a, b) = (tokens(text), tokens(printed));
    a.len() == b.len()
        && a.iter().zip(&b).all(|(x, y)| {
            if x.eq_ignore_ascii_case(y) {
                return true;
            }
            let Some(printed_hex) = y.strip_prefix("0x").or_else(|| y.strip_prefix("0X")) else {
                return false;
            };
            let value = hex(printed_hex);
            match x.strip_prefix("0x").or_else(|| x.strip_prefix("0X")) {
                Some(digits) => {
                    !digits.is_empty()
                        && digits.bytes().all(|c| c.is_ascii_hexdigit())
                        && hex(digits) == value
                }
                None => {
                    !x.is_empty()
                        && x.bytes().all(|c| c.is_ascii_digit())
                        && decimal(x) < 10
                        && decimal(x) == value
                }
            }
        })
}

/// `text` cut into delimiters (`(`, `)`, `,`, `/`) and the runs between them.
fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if matches!(c, '(' | ')' | ',' | '/') {
            if start < i {
                out.push(&text[start..i]);
            }
            out.push(&text[i..=i]);
            start = i + 1;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// EDK2's `Strtoi`: hexadecimal after `0x` (leading spaces and zeros
/// allowed before the `x`), decimal otherwise; digits stop at the first
/// other character; an overflow reads as all ones.
pub fn strtoi(s: &str) -> u64 {
    let t = s.trim_start_matches(' ').trim_start_matches('0');
    if t.starts_with(['x', 'X']) {
        hex(s)
    } else {
        decimal(s)
    }
}

fn skip_blanks(s: &str) -> &str {
    s.trim_start_matches([' ', '\t'])
}

fn decimal(s: &str) -> u64 {
    let mut v: u64 = 0;
    for c in skip_blanks(s).bytes().take_while(u8::is_ascii_digit) {
        match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(c - b'0')))
        {
            Some(n) => v = n,
            None => return u64::MAX,
        }
    }
    v
}

fn hex(s: &str) -> u64 {
    let s = skip_blanks(s);
    let zero = s.starts_with('0');
    let mut t = s.trim_start_matches('0');
    if t.starts_with(['x', 'X']) {
        if !zero {
            return 0;
        }
        t = &t[1..];
    }
    let mut v: u64 = 0;
    for c in t.chars().map_while(|c| c.to_digit(16)) {
        if v > (u64::MAX - u64::from(c)) >> 4 {
            return u64::MAX;
        }
        v = (v << 4) | u64::from(c);
    }
    v
}

/// EDK2's compressed EISA ID of `PNP0A03`-style text: three letters, then
/// a hexadecimal number. `None` for text shorter than three characters
/// (EDK2 would read past the parameter).
fn eisa_id(text: &str) -> Option<u32> {
    let b = text.as_bytes();
    if b.len() < 3 {
        return None;
    }
    let letter = |c: u8| (i32::from(c) - i32::from(b'A') + 1) as u32 & 0x1F;
    let num = hex(&text[3..]);
    Some(
        (letter(b[0]) << 10)
            .wrapping_add(letter(b[1]) << 5)
            .wrapping_add(letter(b[2]))
            .wrapping_add((num << 16) as u32),
    )
}

/// The 16 bytes of a GUID in written order, when `text` starts with one.
fn guid_bytes(text: &str) -> Option<[u8; 16]> {
    if !crate::rules::view::guid_ok(text) {
        return None;
    }
    let digits: Vec<u8> = text.as_bytes()[..36]
        .iter()
        .filter(|c| **c != b'-')
        .map(|c| (*c as char).to_digit(16).unwrap_or(0) as u8)
        .collect();
    let mut out = [0u8; 16];
    for (i, pair) in digits.chunks(2).enumerate() {
        out[i] = (pair[0] << 4) | pair[1];
    }
    Some(out)
}

#[cfg(test)]
#[path = "path_tests.rs"]
mod tests;
