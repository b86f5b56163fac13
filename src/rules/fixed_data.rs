//! X004 for fixed-size data given too many bytes.
//!
//! OpenCore keeps some `<data>` keys in fixed arrays (a 6-byte ROM, a 4-byte
//! table signature). Its plist reader decodes into the field only when the
//! decoded bytes fit; a longer value is rejected whole and the field keeps
//! its failsafe, all zero bytes. A shorter value is accepted and the rest
//! stays zero, so only the oversized case is reported (the sizes are
//! [`crate::schema::FIXED_DATA`]). OpenCore configs only.

use super::Context;
use super::view::Item;
use crate::model::ConfigKind;

/// The `<data>` values at a normalised path (through every entry of an
/// array at `[]`).
fn values<'a>(cx: &Context<'a>, norm: &str) -> Vec<Item<'a>> {
    match norm.split_once("/[]/") {
        Some((array, key)) => Item::at(cx, array).map_or_else(Vec::new, |a| {
            a.entries().filter_map(|(_, e)| e.get(key)).collect()
        }),
        None => Item::at(cx, norm).into_iter().collect(),
    }
}

/// X004 for every fixed-size data key holding more bytes than its field.
pub(super) fn oversized(cx: &mut Context) {
    if cx.config.kind != ConfigKind::OpenCore {
        return;
    }
    for &(norm, size) in crate::schema::FIXED_DATA {
        if !crate::rules::view::key_in_target(cx, norm) {
            continue;
        }
        for item in values(cx, norm) {
            let Some(bytes) = item.data() else { continue };
            if bytes.len() <= size {
                continue;
            }
            let leaf = norm.rsplit('/').next().unwrap_or(norm);
            let d = cx.report(
                &super::structure::X004,
                &item.located(),
                format!(
                    "{leaf} holds {} bytes, but OpenCore keeps it in a {size}-byte field; it rejects the value and uses {size} zero bytes instead",
                    bytes.len()
                ),
            );
            d.help = Some(format!("give {leaf} exactly {size} bytes"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::audit::{self, AuditOptions};
    use crate::model::ConfigKind;
    use crate::rules::acpi::tests::{found, plist};

    fn rom(b64: &str) -> String {
        plist(&format!(
            "<key>PlatformInfo</key><dict><key>Generic</key><dict><key>ROM</key><data>{b64}</data></dict></dict>\n"
        ))
    }

    fn x004_paths(text: &str) -> Vec<String> {
        found(text, "X004", Some("1.0.7"))
            .into_iter()
            .map(|(_, p, _)| p)
            .collect()
    }

    #[test]
    fn nine_byte_rom_is_x004() {
        // 9 bytes, 6 bytes, 3 bytes.
        assert_eq!(
            x004_paths(&rom("AAECAwQFBgcI")),
            ["PlatformInfo/Generic/ROM"]
        );
        assert!(x004_paths(&rom("ESIzRFVm")).is_empty());
        assert!(x004_paths(&rom("ESIz")).is_empty());
    }

    #[test]
    fn oversized_entries_of_arrays() {
        let text = plist(
            "<key>ACPI</key><dict><key>Patch</key><array>\
             <dict><key>TableSignature</key><data>RFNEVA==</data></dict>\
             <dict><key>TableSignature</key><data>RFNEVFg=</data></dict>\
             </array></dict>\n",
        );
        assert_eq!(x004_paths(&text), ["ACPI/Patch/1/TableSignature"]);
    }

    #[test]
    fn only_opencore_configs() {
        let opts = AuditOptions {
            kind: Some(ConfigKind::Clover),
            ..Default::default()
        };
        let r = audit::audit_bytes("t.plist", rom("AAECAwQFBgcI").into_bytes(), &opts);
        assert!(
            !r.diagnostics
                .iter()
                .any(|d| d.path == "PlatformInfo/Generic/ROM")
        );
    }
}
