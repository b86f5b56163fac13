//! Building the typed [`Config`] from a loaded document.

use super::*;
use crate::plist::{Dict, Document, Entry, Value, join_path};

/// How keys are looked up: OpenCore matches exactly and keeps the last
/// duplicate; Clover ignores case and keeps the first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Reading {
    OpenCore,
    Clover,
}

pub(crate) struct Builder<'a> {
    pub reading: Reading,
    pub type_errors: Vec<TypeError>,
    _doc: std::marker::PhantomData<&'a ()>,
}

/// Build the typed view of an OpenCore config from its document.
pub fn build(doc: &Document) -> Config {
    let mut b = Builder::new(Reading::OpenCore);
    let root = &doc.root;
    let root_at = Located {
        span: root.span.clone(),
        path: String::new(),
    };
    let root_dict = root.as_dict();
    let booter = root_dict
        .and_then(|d| b.dict_entry(d, "Booter", ""))
        .map(|(d, _)| d);
    let quirks_entry = booter.and_then(|d| b.dict_entry(d, "Quirks", "Booter"));
    let quirks = b.booter_quirks(quirks_entry, "Booter/Quirks", &|_| false);
    let mmio_whitelist = booter.and_then(|d| b.whitelist(d, "MmioWhitelist", "Booter"));
    let uefi = root_dict
        .and_then(|d| b.dict_entry(d, "UEFI", ""))
        .map(|(d, _)| d);
    let request_boot_var_routing = uefi
        .and_then(|d| b.dict_entry(d, "Quirks", "UEFI"))
        .map(|(d, _)| b.bool_field(d, "RequestBootVarRouting", "UEFI/Quirks", false))
        .unwrap_or_default();
    let drivers = uefi.and_then(|d| b.drivers(d));
    let (nvram, boot_args) = root_dict
        .and_then(|d| b.dict_entry(d, "NVRAM", ""))
        .map(|(d, at)| b.nvram(d, at))
        .unwrap_or_default();
    let mut entry_args = Vec::new();
    if let Some((misc, _)) = root_dict.and_then(|d| b.dict_entry(d, "Misc", "")) {
        for section in ["Entries", "Tools"] {
            let Some(items) = b.array_entry(misc, section, "Misc") else {
                continue;
            };
            for (i, item) in items.iter().enumerate() {
                let path = format!("Misc/{section}/{i}");
                if let Some(d) = item.as_dict()
                    && let Some(a) = b.arg_string(d, "Arguments", &path)
                {
                    entry_args.push(a);
                }
            }
        }
    }
    let product_name = root_dict
        .and_then(|d| b.dict_entry(d, "PlatformInfo", ""))
        .and_then(|(d, _)| b.dict_entry(d, "Generic", "PlatformInfo"))
        .and_then(|(d, _)| b.string(d, "SystemProductName", "PlatformInfo/Generic"));
    Config {
        kind: ConfigKind::OpenCore,
        root: root_at,
        quirks,
        request_boot_var_routing,
        mmio_whitelist,
        drivers,
        boot_args,
        entry_args,
        nvram,
        product_name,
        type_errors: b.type_errors,
    }
}

impl<'a> Builder<'a> {
    pub fn new(reading: Reading) -> Self {
        Builder {
            reading,
            type_errors: Vec::new(),
            _doc: std::marker::PhantomData,
        }
    }

    pub fn get<'d>(&self, dict: &'d Dict, key: &str) -> Option<&'d Entry> {
        match self.reading {
            Reading::OpenCore => dict.get(key),
            Reading::Clover => dict.get_clover(key),
        }
    }

    fn mistyped(&mut self, entry: &Entry, path: String, expected: &'static str, note: String) {
        self.type_errors.push(TypeError {
            at: Located {
                span: entry.value.span.clone(),
                path,
            },
            expected,
            found: entry.value.value.type_name(),
            note,
        });
    }

    /// A dict-valued key: the dict and its location.
    pub fn dict_entry<'d>(
        &mut self,
        dict: &'d Dict,
        key: &str,
        parent: &str,
    ) -> Option<(&'d Dict, Located)> {
        let e = self.get(dict, key)?;
        let path = join_path(parent, key);
        match e.value.as_dict() {
            Some(d) => Some((
                d,
                Located {
                    span: e.value.span.clone(),
                    path,
                },
            )),
            None => {
                self.mistyped(e, path, "dict", "its contents are ignored".into());
                None
            }
        }
    }

    pub fn array_entry<'d>(
        &mut self,
        dict: &'d Dict,
        key: &str,
        parent: &str,
    ) -> Option<&'d [crate::plist::Node]> {
        let e = self.get(dict, key)?;
        match e.value.as_array() {
            Some(a) => Some(a),
            None => {
                self.mistyped(e, join_path(parent, key), "array", "it is ignored".into());
                None
            }
        }
    }

    /// A boolean with its default. Clover also accepts yes/no strings.
    pub fn bool_field(
        &mut self,
        dict: &Dict,
        key: &str,
        parent: &str,
        default: bool,
    ) -> Field<bool> {
        let Some(e) = self.get(dict, key) else {
            return Field {
                value: default,
                state: State::Absent,
                at: None,
            };
        };
        let path = join_path(parent, key);
        let at = Some(Located {
            span: e.value.span.clone(),
            path: path.clone(),
        });
        if let Some(v) = e.value.as_bool() {
            return Field {
                value: v,
                state: State::Present,
                at,
            };
        }
        let note = match self.reading {
            Reading::OpenCore => format!("OpenCore ignores it and uses {default}"),
            Reading::Clover => {
                if let Some(s) = e.value.as_str() {
                    match s.trim().to_ascii_lowercase().as_str() {
                        "true" | "yes" => {
                            return Field {
                                value: true,
                                state: State::Present,
                                at,
                            };
                        }
                        "false" | "no" => {
                            return Field {
                                value: false,
                                state: State::Present,
                                at,
                            };
                        }
                        _ => {}
                    }
                }
                format!("Clover ignores it and uses {default}")
            }
        };
        self.mistyped(e, path, "boolean", note);
        Field {
            value: default,
            state: State::Mistyped,
            at,
        }
    }

    /// An integer as the reading program interprets it.
    pub fn int_field(&mut self, dict: &Dict, key: &str, parent: &str) -> Field<i64> {
        let Some(e) = self.get(dict, key) else {
            return Field::default();
        };
        let path = join_path(parent, key);
        let at = Some(Located {
            span: e.value.span.clone(),
            path: path.clone(),
        });
        let value = match (&e.value.value, self.reading) {
            (Value::Integer(i), Reading::OpenCore) => Some(i.opencore),
            (Value::Integer(i), Reading::Clover) => i.clover(),
            (Value::String(s), Reading::Clover) => crate::plist::Integer::parse(s).clover(),
            _ => None,
        };
        match value {
            Some(value) => Field {
                value,
                state: State::Present,
                at,
            },
            None => {
                self.mistyped(e, path, "integer", "it is ignored and 0 is used".into());
                Field {
                    value: 0,
                    state: State::Mistyped,
                    at,
                }
            }
        }
    }

    pub fn string(&mut self, dict: &Dict, key: &str, parent: &str) -> Option<String> {
        let e = self.get(dict, key)?;
        match e.value.as_str() {
            Some(s) => Some(s.to_owned()),
            None => {
                self.mistyped(e, join_path(parent, key), "string", "it is ignored".into());
                None
            }
        }
    }

    fn string_field(&mut self, dict: &Dict, key: &str, parent: &str) -> Field<String> {
        let Some(e) = self.get(dict, key) else {
            return Field::default();
        };
        let at = Some(Located {
            span: e.value.span.clone(),
            path: join_path(parent, key),
        });
        match self.string(dict, key, parent) {
            Some(value) => Field {
                value,
                state: State::Present,
                at,
            },
            None => Field {
                value: String::new(),
                state: State::Mistyped,
                at,
            },
        }
    }

    /// A string of boot arguments; `<data>` is read as ASCII bytes.
    pub fn arg_string(&mut self, dict: &Dict, key: &str, parent: &str) -> Option<ArgString> {
        let e = self.get(dict, key)?;
        let at = Located {
            span: e.value.span.clone(),
            path: join_path(parent, key),
        };
        match &e.value.value {
            Value::String(s) => Some(ArgString {
                value: s.to_string(),
                at,
                is_data: false,
            }),
            Value::Data(bytes) => {
                let end = bytes.iter().position(|&b| b == 0).unwrap_or(bytes.len());
                Some(ArgString {
                    value: String::from_utf8_lossy(&bytes[..end]).into_owned(),
                    at,
                    is_data: true,
                })
            }
            _ => {
                self.mistyped(e, at.path, "string", "it is ignored".into());
                None
            }
        }
    }

    /// The booter quirks in `entry` (a dict); `default_true` names the keys
    /// whose absence means true for the reading program.
    pub fn booter_quirks(
        &mut self,
        entry: Option<(&Dict, Located)>,
        path: &str,
        default_true: &dyn Fn(&str) -> bool,
    ) -> BooterQuirks {
        let mut q = BooterQuirks {
            path: path.to_owned(),
            ..Default::default()
        };
        let Some((dict, at)) = entry else {
            return q;
        };
        for key in BOOTER_FLAGS {
            let f = self.bool_field(dict, key, path, default_true(key));
            if let Some(slot) = q.flag_mut(key) {
                *slot = f;
            }
        }
        q.provide_max_slide = self.int_field(dict, "ProvideMaxSlide", path);
        q.dict = Some(at);
        q
    }

    pub fn whitelist(&mut self, dict: &Dict, key: &str, parent: &str) -> Option<MmioWhitelist> {
        let e = self.get(dict, key)?;
        let path = join_path(parent, key);
        let Some(items) = e.value.as_array() else {
            self.mistyped(e, path, "array", "it is ignored".into());
            return None;
        };
        let mut entries = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let ipath = format!("{path}/{i}");
            let Some(d) = item.as_dict() else {
                self.type_errors.push(TypeError {
                    at: Located {
                        span: item.span.clone(),
                        path: ipath,
                    },
                    expected: "dict",
                    found: item.value.type_name(),
                    note: "the entry is ignored".into(),
                });
                continue;
            };
            entries.push(MmioEntry {
                at: Located {
                    span: item.span.clone(),
                    path: ipath.clone(),
                },
                address: self.int_field(d, "Address", &ipath),
                enabled: self.bool_field(d, "Enabled", &ipath, false),
                comment: self.string_field(d, "Comment", &ipath),
            });
        }
        Some(MmioWhitelist {
            at: Located {
                span: e.value.span.clone(),
                path,
            },
            entries,
        })
    }

    fn drivers(&mut self, uefi: &Dict) -> Option<Drivers> {
        let e = self.get(uefi, "Drivers")?;
        let Some(items) = e.value.as_array() else {
            self.mistyped(
                e,
                "UEFI/Drivers".into(),
                "array",
                "no driver is loaded".into(),
            );
            return None;
        };
        let mut entries = Vec::new();
        for (i, item) in items.iter().enumerate() {
            let path = format!("UEFI/Drivers/{i}");
            let at = Located {
                span: item.span.clone(),
                path: path.clone(),
            };
            match &item.value {
                Value::String(s) => {
                    let (enabled, p) = match s.strip_prefix('#') {
                        Some(rest) => (false, rest),
                        None => (true, s.as_str()),
                    };
                    entries.push(Driver {
                        at,
                        path: p.to_owned(),
                        enabled,
                        legacy_string: true,
                        enabled_at: None,
                    });
                }
                Value::Dict(d) => {
                    let p = self.string(d, "Path", &path).unwrap_or_default();
                    let en = self.bool_field(d, "Enabled", &path, false);
                    entries.push(Driver {
                        at,
                        path: p,
                        enabled: en.value,
                        legacy_string: false,
                        enabled_at: en.at,
                    });
                }
                other => self.type_errors.push(TypeError {
                    at,
                    expected: "dict",
                    found: other.type_name(),
                    note: "the entry is ignored".into(),
                }),
            }
        }
        Some(Drivers {
            at: Located {
                span: e.value.span.clone(),
                path: "UEFI/Drivers".into(),
            },
            entries,
        })
    }

    /// The variable names listed under `NVRAM/<name>/<Apple GUID>`; a value
    /// that is no array is a type error when `report` is set.
    fn deleted_names(
        &mut self,
        dict: &Dict,
        name: &str,
        report: bool,
    ) -> Option<(Located, Vec<String>)> {
        let e = self.get(dict, APPLE_BOOT_GUID)?;
        let path = format!("NVRAM/{name}/{APPLE_BOOT_GUID}");
        match e.value.as_array() {
            Some(items) => {
                let names = items
                    .iter()
                    .filter_map(|n| n.as_str().map(str::to_owned))
                    .collect();
                let span = e.value.span.clone();
                Some((Located { span, path }, names))
            }
            None => {
                if report {
                    self.mistyped(e, path, "array", "nothing is deleted".into());
                }
                None
            }
        }
    }

    fn nvram(&mut self, nv: &Dict, at: Located) -> (Nvram, Option<ArgString>) {
        let mut out = Nvram {
            dict: Some(at),
            legacy_schema: self.get(nv, "LegacySchema").is_some(),
            write_flash: self.bool_field(nv, "WriteFlash", "NVRAM", false),
            ..Default::default()
        };
        let mut boot_args = None;
        if let Some((add, add_at)) = self.dict_entry(nv, "Add", "NVRAM") {
            out.add = Some(add_at);
            let parent = format!("NVRAM/Add/{APPLE_BOOT_GUID}");
            if let Some((apple, apple_at)) = self.dict_entry(add, APPLE_BOOT_GUID, "NVRAM/Add") {
                out.add_apple = Some(apple_at);
                boot_args = self.arg_string(apple, "boot-args", &parent);
            }
        }
        if let Some((del, del_at)) = self.dict_entry(nv, "Delete", "NVRAM") {
            out.delete = Some(del_at);
            out.delete_apple = self.deleted_names(del, "Delete", true);
        }
        // OpenCore up to 0.5.8 called NVRAM/Delete `Block`.
        if let Some(e) = self.get(nv, "Block")
            && let Some(block) = e.value.as_dict()
        {
            out.block = Some(Located {
                span: e.value.span.clone(),
                path: "NVRAM/Block".into(),
            });
            out.block_apple = self.deleted_names(block, "Block", false);
        }
        (out, boot_args)
    }
}
