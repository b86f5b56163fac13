//! Parser tests: shell forms, Linux efi=debug, detection and errors.

use super::*;
use crate::memmap::types::EFI_MEMORY_RUNTIME;

fn utf16le_bom(s: &str) -> Vec<u8> {
    let mut out = vec![0xFF, 0xFE];
    out.extend(s.encode_utf16().flat_map(|u| u.to_le_bytes()));
    out
}

#[test]
fn shell_dash_space_glued_and_oem() {
    let text = "\
Type       Start            End              # Pages          Attributes\r
Available  0000000000100000-000000005B635FFF 000000000005B536 000000000000000F\r
BS_Data    000000005B636000 000000005B636FFF 0000000000000001 000000000000000F\r
LoaderCode000000006AF78000-000000006AF78FFF 0000000000000001 000000000000000F\r
MMIO_Port  00000000FE000000-00000000FE000FFF 0000000000000001 8000000000000001\r
80000001   0000000070000000-0000000070000FFF 0000000000000001 0000000000000000\r
 \r
  Reserved  :      3,323,392 Pages (13,612,613,632 Bytes)\r
  MMIO      :        233,984 Pages (958,398,464 Bytes)\r
              -------------- \r
Total Memory:         32,049 MB (33,606,651,904 Bytes)\r
this line is noise\r
";
    let m = parse_shell(text);
    let types: Vec<MemType> = m.descriptors.iter().map(|d| d.mem_type).collect();
    assert_eq!(
        types,
        [
            MemType::Conventional,
            MemType::BootServicesData,
            MemType::LoaderCode,
            MemType::MmioPort,
            MemType::Other(0x8000_0001)
        ]
    );
    assert_eq!(m.descriptors[0].start, 0x10_0000);
    assert_eq!(m.descriptors[0].pages, 0x5B536);
    assert_eq!(m.descriptors[2].line, 4);
    assert_eq!(m.descriptors[3].attributes, EFI_MEMORY_RUNTIME | 1);
    assert_eq!(m.unparsed_lines, 1);
    assert!(m.warnings.is_empty(), "{:?}", m.warnings);
}

#[test]
fn shell_sfo() {
    let text = "ShellCommand,\"memmap\"\r\n\
MemoryMap,\"Available\",\"0000000000000000\",\"000000000009FFFF\",\"00000000000000A0\",\"000000000000000F\"\r\n\
MemoryMap,\"MemoryMappedIO\",\"00000000E0000000\",\"00000000EFFFFFFF\",\"0000000000010000\",\"800000000000100D\"\r\n\
MemoryMapSummary,\"1\",\"2\"\r\n";
    let m = parse_shell(text);
    assert_eq!(m.descriptors.len(), 2);
    assert_eq!(m.descriptors[1].mem_type, MemType::Mmio);
    assert_eq!(m.descriptors[1].pages, 0x10000);
    assert_eq!(m.unparsed_lines, 0);
}

#[test]
fn end_column_problems_warn_and_page_count_wins() {
    let text = "\
Available  0000000000200000-0000000000100000 0000000000000010 000000000000000F
Available  0000000000100000-0000000000FFFFFF 0000000000000010 000000000000000F
Reserved   FFFFFFFFFFFFF000-FFFFFFFFFFFFFFFF 0000000000000010 0000000000000000
Reserved   0000000000000000-FFFFFFFFFFFFFFFF 0000000000000000 0000000000000000
Available  0000000000900000-0000000000900FFF 0000000000000001 000000000000000F  <--
";
    let m = parse_shell(text);
    assert_eq!(m.descriptors.len(), 5);
    assert_eq!(m.descriptors[0].pages, 0x10);
    assert_eq!(m.descriptors[1].pages, 0x10);
    assert_eq!(m.descriptors[2].end(), u64::MAX);
    let w = m.warnings.join("\n");
    assert!(w.contains("line 1: End 0x100000 is before Start"), "{w}");
    assert!(w.contains("line 2: End 0xFFFFFF disagrees"), "{w}");
    assert!(
        w.contains("line 3: 0xFFFFFFFFFFFFF000 + 0x10 pages runs past"),
        "{w}"
    );
    assert!(
        !w.contains("line 4"),
        "0 pages with End = Start - 1 is what the shell prints: {w}"
    );
    assert!(
        w.contains("after the attributes column on line(s) 5"),
        "{w}"
    );
}

#[test]
fn linux_efi_debug_lines() {
    let text = "\
[    0.000000] efi: mem07: [Conventional|   |  |  |  |  |  |  |  |  |   |WB|WT|WC|UC] range=[0x0000000000100000-0x000000005b635fff] (1460MB)
[    0.000000] efi: mem45: [MMIO        |RUN|  |  |  |  |  |  |  |  |   |  |  |  |UC] range=[0x00000000e0000000-0x00000000efffffff] (256MB)
[    0.000000] efi: mem46: [type=1879048192|RUN|  |  |  |  |  |  |  |  |   |  |  |  |UC] range=[0x0000000070000000-0x0000000070000fff] (0MB)
[    0.000000] efi: mem01: type=2, attr=0xf, range=[0x0000000000001000-0x0000000000002000) (0MB)
[    0.000000] efi: mem99: [Bogus|  ] range=[0x0-0xfff]
[    0.000000] Linux version 6.1
";
    let m = parse_linux(text);
    assert_eq!(m.descriptors.len(), 4);
    assert_eq!(m.descriptors[0].mem_type, MemType::Conventional);
    assert_eq!(m.descriptors[0].pages, 0x5B536);
    assert_eq!(m.descriptors[0].attributes, 0xF);
    assert_eq!(m.descriptors[1].attributes, EFI_MEMORY_RUNTIME | 1);
    assert_eq!(m.descriptors[1].pages, 0x10000);
    assert_eq!(m.descriptors[2].mem_type, MemType::Other(0x7000_0000));
    assert_eq!(m.descriptors[3].mem_type, MemType::LoaderData);
    assert_eq!(m.descriptors[3].pages, 1);
    assert_eq!(m.unparsed_lines, 1);
    assert_eq!(detect_format(text), Some(InputFormat::Linux));
}

#[test]
fn evidence_detection_and_encodings() {
    let shell = "Type Start End # Pages Attributes\r\nMMIO       00000000E0000000-00000000EFFFFFFF 0000000000010000 800000000000100D\r\n";
    match parse_evidence(&utf16le_bom(shell), None) {
        Ok(Evidence::Map(m)) => assert_eq!(m.descriptors.len(), 1),
        other => panic!("expected a map, got {other:?}"),
    }
    let mut log =
        b"00:000 00:000 OC: OpenCore REL-107-2025-10-06 is loading\r\nOCABC: MAT support is 1\r\n"
            .to_vec();
    log.extend(std::iter::repeat_n(0u8, 3000));
    match parse_evidence(&log, None) {
        Ok(Evidence::Log(l)) => {
            assert_eq!(l.version.as_deref(), Some("1.0.7"));
            assert_eq!(l.mat_support, Some(true));
        }
        other => panic!("expected a log, got {other:?}"),
    }
}

#[test]
fn evidence_errors_say_what_to_do() {
    assert_eq!(parse_evidence(b"", None), Err(EvidenceError::Empty));
    assert_eq!(parse_evidence(&[0; 64], None), Err(EvidenceError::Empty));
    let err = parse_evidence(b"hello\nworld\n", None).expect_err("not evidence");
    assert_eq!(err, EvidenceError::NotRecognised { lines: 2 });
    assert!(err.to_string().contains("memmap > memmap.txt"));
    let err = parse_evidence(b"OCABC: MAT support is 1\n", Some(InputFormat::Shell))
        .expect_err("forced shell");
    assert!(
        err.to_string().contains("no EFI shell memmap lines"),
        "{err}"
    );
    assert!(err.to_string().contains("--input-format"), "{err}");
}

#[test]
fn decode_problems_become_warnings() {
    let mut bytes = utf16le_bom(
        "Available  0000000000100000-00000000001FFFFF 0000000000000100 000000000000000F\r\n",
    );
    bytes.push(0x41);
    match parse_evidence(&bytes, None) {
        Ok(Evidence::Map(m)) => {
            assert_eq!(m.descriptors.len(), 1);
            assert!(m.warnings.iter().any(|w| w.contains("undecodable")));
        }
        other => panic!("expected a map, got {other:?}"),
    }
}

#[test]
fn render_then_parse_round_trips() {
    let m = parse_shell(include_str!(
        "../../../tests/fixtures/memmap/acceptance.txt"
    ));
    let again = parse_shell(&render_shell(&m));
    let strip = |m: &MemoryMap| {
        m.descriptors
            .iter()
            .map(|d| (d.mem_type, d.start, d.pages, d.attributes))
            .collect::<Vec<_>>()
    };
    assert_eq!(strip(&m), strip(&again));
    assert_eq!(again.unparsed_lines, 0);
}
