//! The files an OpenCore config names inside its `EFI/OC` folder: UEFI
//! drivers, kexts, ACPI tables and tools, each with where the path is written.
//!
//! Read on demand by the F rules from the same span tree as [`super::Config`]
//! (so adding it costs nothing when no EFI folder is given). Paths are kept
//! exactly as written; this module never touches the disk.

use super::Located;
use super::build::{Builder, Reading};
use crate::plist::join_path;
use crate::plist::{Dict, Document, Value};

/// The `EFI/OC` subfolder an item lives in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    /// `UEFI/Drivers` → `Drivers/`.
    Drivers,
    /// `Kernel/Add` → `Kexts/`.
    Kexts,
    /// `ACPI/Add` → `ACPI/`.
    Acpi,
    /// `Misc/Tools` → `Tools/`.
    Tools,
}

impl Section {
    /// The folder name, spelt as OpenCore opens it.
    pub fn folder(self) -> &'static str {
        match self {
            Section::Drivers => "Drivers",
            Section::Kexts => "Kexts",
            Section::Acpi => "ACPI",
            Section::Tools => "Tools",
        }
    }

    /// What one item is called in messages.
    pub fn noun(self) -> &'static str {
        match self {
            Section::Drivers => "UEFI driver",
            Section::Kexts => "kext",
            Section::Acpi => "ACPI table",
            Section::Tools => "tool",
        }
    }
}

/// A path string written in the config, with its location.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathValue {
    /// The text as written (for drivers in the old format, without the `#`).
    pub text: String,
    /// Where the string is.
    pub at: Located,
}

/// One enabled item that names a file in the OC folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileItem {
    /// The folder it is looked up in.
    pub section: Section,
    /// The entry's location (`Kernel/Add/3`).
    pub entry: Located,
    /// `Path`, or a kext's `BundlePath`.
    pub path: PathValue,
    /// A kext's `ExecutablePath` (absent or empty for a plist-only kext).
    pub executable: Option<PathValue>,
    /// A kext's `PlistPath`.
    pub plist: Option<PathValue>,
}

/// Every enabled driver, kext, ACPI table and tool an OpenCore config names,
/// in file order within each section (drivers, kexts, ACPI, tools).
/// Disabled entries, entries with an empty path and mistyped values are left
/// out: OpenCore loads none of them.
pub fn efi_files(doc: &Document) -> Vec<FileItem> {
    let mut b = Builder::new(Reading::OpenCore);
    let mut out = Vec::new();
    let Some(root) = doc.root.as_dict() else {
        return out;
    };
    if let Some(items) = section_array(&mut b, root, "UEFI", "Drivers") {
        for (i, item) in items.iter().enumerate() {
            let path = format!("UEFI/Drivers/{i}");
            let entry = Located {
                span: item.span.clone(),
                path: path.clone(),
            };
            match &item.value {
                // Before 0.7.3: a plain string, `#` disables it.
                Value::String(s) if !s.starts_with('#') && !s.is_empty() => out.push(FileItem {
                    section: Section::Drivers,
                    path: PathValue {
                        text: s.to_string(),
                        at: entry.clone(),
                    },
                    entry,
                    executable: None,
                    plist: None,
                }),
                Value::Dict(d) => {
                    if let Some(p) = enabled_path(&mut b, d, "Path", &path) {
                        out.push(simple(Section::Drivers, entry, p));
                    }
                }
                _ => {}
            }
        }
    }
    if let Some(items) = section_array(&mut b, root, "Kernel", "Add") {
        for (i, item) in items.iter().enumerate() {
            let path = format!("Kernel/Add/{i}");
            let Some(d) = item.as_dict() else { continue };
            let Some(bundle) = enabled_path(&mut b, d, "BundlePath", &path) else {
                continue;
            };
            out.push(FileItem {
                section: Section::Kexts,
                entry: Located {
                    span: item.span.clone(),
                    path: path.clone(),
                },
                path: bundle,
                executable: string_value(&mut b, d, "ExecutablePath", &path),
                plist: string_value(&mut b, d, "PlistPath", &path),
            });
        }
    }
    for (parent, key, section) in [
        ("ACPI", "Add", Section::Acpi),
        ("Misc", "Tools", Section::Tools),
    ] {
        let Some(items) = section_array(&mut b, root, parent, key) else {
            continue;
        };
        for (i, item) in items.iter().enumerate() {
            let path = format!("{parent}/{key}/{i}");
            let Some(d) = item.as_dict() else { continue };
            if let Some(p) = enabled_path(&mut b, d, "Path", &path) {
                let entry = Located {
                    span: item.span.clone(),
                    path,
                };
                out.push(simple(section, entry, p));
            }
        }
    }
    out
}

fn simple(section: Section, entry: Located, path: PathValue) -> FileItem {
    FileItem {
        section,
        entry,
        path,
        executable: None,
        plist: None,
    }
}

/// `root/parent/key` as an array.
fn section_array<'d>(
    b: &mut Builder,
    root: &'d Dict,
    parent: &str,
    key: &str,
) -> Option<&'d [crate::plist::Node]> {
    let (d, _) = b.dict_entry(root, parent, "")?;
    b.array_entry(d, key, parent)
}

/// The non-empty string at `key` of an entry whose `Enabled` is true.
fn enabled_path(b: &mut Builder, d: &Dict, key: &str, parent: &str) -> Option<PathValue> {
    let enabled = b.bool_field(d, "Enabled", parent, false);
    if !enabled.value || enabled.mistyped() {
        return None;
    }
    string_value(b, d, key, parent)
}

/// The non-empty string at `key`, with its location.
fn string_value(b: &mut Builder, d: &Dict, key: &str, parent: &str) -> Option<PathValue> {
    let e = b.get(d, key)?;
    let text = e.value.as_str()?;
    if text.is_empty() {
        return None;
    }
    Some(PathValue {
        text: text.to_owned(),
        at: Located {
            span: e.value.span.clone(),
            path: join_path(parent, key),
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn items(xml: &str) -> Vec<FileItem> {
        let doc = crate::plist::load(xml).expect("test plist parses");
        efi_files(&doc)
    }

    const CONFIG: &str = r#"<plist><dict>
<key>UEFI</key><dict><key>Drivers</key><array>
  <dict><key>Path</key><string>OpenRuntime.efi</string><key>Enabled</key><true/></dict>
  <dict><key>Path</key><string>Off.efi</string><key>Enabled</key><false/></dict>
  <string>HfsPlus.efi</string>
  <string>#Disabled.efi</string>
</array></dict>
<key>Kernel</key><dict><key>Add</key><array>
  <dict><key>BundlePath</key><string>Lilu.kext</string><key>Enabled</key><true/>
        <key>ExecutablePath</key><string>Contents/MacOS/Lilu</string>
        <key>PlistPath</key><string>Contents/Info.plist</string></dict>
  <dict><key>BundlePath</key><string>USBMap.kext</string><key>Enabled</key><true/>
        <key>ExecutablePath</key><string></string>
        <key>PlistPath</key><string>Contents/Info.plist</string></dict>
  <dict><key>BundlePath</key><string>Typo.kext</string><key>Enabled</key><string>yes</string></dict>
</array></dict>
<key>ACPI</key><dict><key>Add</key><array>
  <dict><key>Path</key><string>SSDT-PLUG.aml</string><key>Enabled</key><true/></dict>
</array></dict>
<key>Misc</key><dict><key>Tools</key><array>
  <dict><key>Path</key><string>OpenShell.efi</string><key>Enabled</key><true/></dict>
  <dict><key>Path</key><string></string><key>Enabled</key><true/></dict>
</array></dict>
</dict></plist>"#;

    #[test]
    fn lists_only_what_opencore_loads() {
        let got: Vec<(Section, String, String)> = items(CONFIG)
            .into_iter()
            .map(|i| (i.section, i.path.text, i.path.at.path))
            .collect();
        let want = [
            (Section::Drivers, "OpenRuntime.efi", "UEFI/Drivers/0/Path"),
            (Section::Drivers, "HfsPlus.efi", "UEFI/Drivers/2"),
            (Section::Kexts, "Lilu.kext", "Kernel/Add/0/BundlePath"),
            (Section::Kexts, "USBMap.kext", "Kernel/Add/1/BundlePath"),
            (Section::Acpi, "SSDT-PLUG.aml", "ACPI/Add/0/Path"),
            (Section::Tools, "OpenShell.efi", "Misc/Tools/0/Path"),
        ];
        let want: Vec<_> = want
            .iter()
            .map(|(s, t, p)| (*s, t.to_string(), p.to_string()))
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn kext_parts_keep_their_locations() {
        let all = items(CONFIG);
        let lilu = &all[2];
        let exe = lilu.executable.as_ref().expect("Lilu has an executable");
        assert_eq!(exe.text, "Contents/MacOS/Lilu");
        assert_eq!(exe.at.path, "Kernel/Add/0/ExecutablePath");
        assert_eq!(
            &CONFIG[exe.at.span.clone()],
            "<string>Contents/MacOS/Lilu</string>"
        );
        // An empty ExecutablePath means a plist-only kext.
        assert!(all[3].executable.is_none());
        assert_eq!(
            all[3].plist.as_ref().map(|p| p.text.as_str()),
            Some("Contents/Info.plist")
        );
    }

    #[test]
    fn tolerates_other_shapes() {
        assert!(items("<plist><array/></plist>").is_empty());
        assert!(
            items("<plist><dict><key>Kernel</key><string>x</string></dict></plist>").is_empty()
        );
    }
}
