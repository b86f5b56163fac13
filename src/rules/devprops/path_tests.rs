use super::*;
use proptest::prelude::*;

/// ocvalidate 1.0.7's verdicts, recorded by scripts/devpath_verdicts.py.
const VERDICTS: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/data/ocvalidate/1.0.7/device-paths.tsv"
));

#[test]
fn agrees_with_ocvalidate_on_every_recorded_path() {
    let mut checked = 0;
    let mut unchecked = Vec::new();
    for line in VERDICTS.lines().filter(|l| !l.starts_with('#')) {
        let mut cols = line.split('\t');
        let (path, verdict, after) = (
            cols.next().unwrap_or(""),
            cols.next().unwrap_or(""),
            cols.next().unwrap_or(""),
        );
        match (round_trip(path), verdict) {
            (Verdict::Same, "ok") => {}
            (Verdict::Differs(printed), "borked") => {
                assert!(
                    after == "?" || printed.eq_ignore_ascii_case(after),
                    "{path}: ocvalidate converted it to {after}, ocaudit to {printed}"
                );
            }
            (Verdict::Unchecked(name), "ok") => {
                unchecked.push(name);
                continue;
            }
            (got, want) => panic!("{path}: ocvalidate says {want}, ocaudit {got:?}"),
        }
        checked += 1;
    }
    assert!(checked >= 60, "only {checked} paths checked");
    // Only the two recorded out-of-scope node types stay unchecked.
    assert_eq!(unchecked, ["VenHw", "MAC"]);
}

#[test]
fn same_device_only_for_unambiguous_spellings() {
    let same = |t: &str| match round_trip(t) {
        Verdict::Differs(p) => same_device(t, &p),
        v => panic!("{t}: {v:?}"),
    };
    assert!(same("PciRoot(0)/Pci(0x1b,0x0)"));
    assert!(same("PciRoot(0x0)/Pci(0x1F,0x03)"));
    assert!(same("PciRoot(0x00)/Pci(0x02,0x00)"));
    assert!(same("PciRoot(0x0)/Pci(0x14,0x0)/USB(1,0)"));
    assert!(!same("PciRoot(0)/Pci(1f,3)"), "1f reads as 1");
    assert!(!same("PciRoot(0x0)/Pci(31,3)"), "31 or 0x31?");
    assert!(!same("PciRoot(0x0)/Pci(0x2)"), "a missing parameter");
    assert!(!same("PciRoot(0x0)/Pci(0x100,0x0)"), "cut to 8 bits");
    assert!(!same("PciRoot(0x0)\\Pci(0x2,0x0)"), "a dropped node");
    assert!(!same("PciRoot(0x0)/Pci(0x2,0x0)junk"));
}

#[test]
fn numbers_read_as_edk2_reads_them() {
    assert_eq!(strtoi("0x1F"), 0x1F);
    assert_eq!(strtoi("1f"), 1, "decimal stops at the first letter");
    assert_eq!(strtoi("31"), 31);
    assert_eq!(strtoi("x2"), 0, "an x without a leading zero reads as 0");
    assert_eq!(strtoi(" 0x2"), 2);
    assert_eq!(strtoi(""), 0);
    assert_eq!(strtoi("99999999999999999999999"), u64::MAX);
    assert_eq!(strtoi("0xFFFFFFFFFFFFFFFFF"), u64::MAX);
}

#[test]
fn parse_gives_the_fields() {
    let p = parse("PciRoot(0x1)/Pci(0x1C,0x4)/Sata(0x2,,0x0)").expect("in scope");
    assert_eq!(
        p.0,
        [
            Node::Acpi {
                hid: 0x0A03_41D0,
                uid: 1
            },
            Node::Pci {
                device: 0x1C,
                function: 4
            },
            Node::Sata {
                hba: 2,
                pmp: 0xFFFF,
                lun: 0
            },
        ]
    );
    assert_eq!(parse("").expect("empty"), DevicePath::default());
    assert_eq!(parse("VenHw(1)"), Err("VenHw".to_owned()));
}

fn node() -> impl Strategy<Value = Node> {
    prop_oneof![
        (any::<u8>(), any::<u8>()).prop_map(|(device, function)| Node::Pci { device, function }),
        (any::<u16>(), any::<u32>()).prop_map(|(id, uid)| Node::Acpi {
            hid: pnp(u32::from(id)),
            uid
        }),
        prop::collection::vec(any::<u32>(), 1..4).prop_map(Node::AcpiAdr),
        any::<u32>().prop_map(Node::Ctrl),
        (0u8..2, 0u8..2, any::<u16>()).prop_map(|(secondary, slave, lun)| Node::Ata {
            secondary,
            slave,
            lun
        }),
        (any::<u16>(), any::<u16>()).prop_map(|(pun, lun)| Node::Scsi { pun, lun }),
        (any::<u8>(), any::<u8>()).prop_map(|(port, interface)| Node::Usb { port, interface }),
        (any::<u16>(), any::<u16>(), any::<u16>()).prop_map(|(hba, pmp, lun)| Node::Sata {
            hba,
            pmp,
            lun
        }),
        (any::<u32>(), any::<[u8; 8]>()).prop_map(|(namespace, eui)| Node::Nvme { namespace, eui }),
        (
            0u32..0x8000_0000,
            prop_oneof![
                any::<u32>().prop_map(Signature::Mbr),
                any::<[u8; 16]>().prop_map(Signature::Gpt),
                (3u8..).prop_map(Signature::Other),
            ],
            any::<u64>(),
            any::<u64>()
        )
            .prop_map(|(partition, signature, start, size)| Node::Hd {
                partition,
                signature,
                start,
                size
            }),
        "[A-Za-z0-9_.#\\\\ -]{1,12}".prop_map(Node::File),
    ]
}

proptest! {
    /// Whatever EDK2 prints reads back as the same binary path, and prints
    /// the same again: print(parse(x)) == x for every printed x.
    #[test]
    fn printed_paths_round_trip(nodes in prop::collection::vec(node(), 0..6)) {
        let path = DevicePath(nodes);
        let text = print(&path);
        prop_assert_eq!(parse(&text), Ok(path.clone()), "{}", text);
        prop_assert_eq!(round_trip(&text), Verdict::Same);
        prop_assert_eq!(round_trip(&text.to_ascii_uppercase()), Verdict::Same);
    }

    /// Any text gets a verdict without panicking, and a differing verdict
    /// carries other text.
    #[test]
    fn any_text_gets_a_verdict(text in "[PciRot()0x1-9A-F,/ ]{0,30}") {
        match round_trip(&text) {
            Verdict::Differs(printed) => prop_assert!(!printed.eq_ignore_ascii_case(&text)),
            Verdict::Same => prop_assert!(print(&parse(&text).expect("parsed")).eq_ignore_ascii_case(&text)),
            Verdict::Unchecked(name) => prop_assert!(false, "{} is not in the alphabet", name),
        }
    }

    #[test]
    fn trailing_separators_convert_to_nothing(a in "[0-9]{1,3}", tail in "[/,]{1,3}") {
        let text = format!("{a}{tail}");
        let want = if tail.starts_with(',') { format!("{a},") } else { a.clone() };
        let got = round_trip(&text);
        if want == text {
            prop_assert_eq!(got, Verdict::Same);
        } else {
            prop_assert_eq!(got, Verdict::Differs(want));
        }
    }
}
