//! The printing half of [`super`]: a [`DevicePath`] written back as text
//! the way EDK2 prints it, every field shown, for [`super::round_trip`] to
//! compare with the text it was read from.

use std::fmt::Write as _;

use super::{DevicePath, Node, PNP_NAMES, Signature};

/// Write `path` as EDK2 prints it (not for display: every field is shown).
pub fn print(path: &DevicePath) -> String {
    let mut out = String::new();
    for node in &path.0 {
        if !out.is_empty() && *node != Node::EndInstance {
            out.push('/');
        }
        print_node(&mut out, node);
    }
    out
}

fn print_node(out: &mut String, node: &Node) {
    // Writing to a String cannot fail.
    let _ = match node {
        Node::Pci { device, function } => write!(out, "Pci(0x{device:x},0x{function:x})"),
        Node::Acpi { hid, uid } => {
            if hid & 0xFFFF == 0x41D0 {
                match PNP_NAMES.iter().find(|(_, id)| *id == hid >> 16) {
                    Some((name, _)) => write!(out, "{name}(0x{uid:x})"),
                    None => write!(out, "Acpi(PNP{:04x},0x{uid:x})", hid >> 16),
                }
            } else {
                write!(out, "Acpi(0x{hid:08x},0x{uid:x})")
            }
        }
        Node::AcpiAdr(adr) => {
            out.push_str("AcpiAdr(");
            for (i, a) in adr.iter().enumerate() {
                let _ = write!(out, "{}0x{a:x}", if i == 0 { "" } else { "," });
            }
            write!(out, ")")
        }
        Node::Ctrl(n) => write!(out, "Ctrl(0x{n:x})"),
        Node::Ata {
            secondary,
            slave,
            lun,
        } => write!(
            out,
            "Ata({},{},0x{lun:x})",
            if *secondary == 1 {
                "Secondary"
            } else {
                "Primary"
            },
            if *slave == 1 { "Slave" } else { "Master" }
        ),
        Node::Scsi { pun, lun } => write!(out, "Scsi(0x{pun:x},0x{lun:x})"),
        Node::Usb { port, interface } => write!(out, "USB(0x{port:x},0x{interface:x})"),
        Node::Sata { hba, pmp, lun } => write!(out, "Sata(0x{hba:x},0x{pmp:x},0x{lun:x})"),
        Node::Nvme { namespace, eui } => {
            let _ = write!(out, "NVMe(0x{namespace:x},");
            for (i, b) in eui.iter().enumerate() {
                let _ = write!(out, "{}{b:02x}", if i == 0 { "" } else { "-" });
            }
            write!(out, ")")
        }
        Node::Hd {
            partition,
            signature,
            start,
            size,
        } => {
            // EDK2 prints the partition number with `%d`: as a signed 32-bit value.
            let part = *partition as i32;
            let _ = match signature {
                Signature::Mbr(s) => write!(out, "HD({part},MBR,0x{s:08x}"),
                Signature::Other(1) => write!(out, "HD({part},MBR,0x00000000"),
                Signature::Gpt(g) => write!(out, "HD({part},GPT,{}", guid_text(g)),
                Signature::Other(2) => write!(out, "HD({part},GPT,{}", guid_text(&[0; 16])),
                Signature::Other(t) => write!(out, "HD({part},{t},0"),
            };
            write!(out, ",0x{start:x},0x{size:x})")
        }
        Node::File(name) => write!(out, "{name}"),
        Node::EndInstance => write!(out, ","),
    };
}

fn guid_text(g: &[u8; 16]) -> String {
    let mut s = String::with_capacity(36);
    for (i, b) in g.iter().enumerate() {
        if matches!(i, 4 | 6 | 8 | 10) {
            s.push('-');
        }
        let _ = write!(s, "{b:02x}");
    }
    s
}
