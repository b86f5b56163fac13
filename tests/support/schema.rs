//! A small JSON Schema validator for the keywords ocaudit's schemas use.
//!
//! It refuses any keyword it does not implement, so a schema can never be
//! "validated" by silently skipping what it asks. Supported: `type` (one
//! name or a list), `enum`, `const`, `required`, `properties`, `items`,
//! `minItems`, `$ref` to `#/$defs/NAME`, `oneOf`, `pattern`, `minimum`,
//! `minLength`; annotations (`$schema`, `$id`, `$defs`, `title`,
//! `description`) are accepted and ignored.

use serde_json::Value;

const ANNOTATIONS: &[&str] = &["$schema", "$id", "$defs", "title", "description"];

/// Every violation of `schema` by `instance`, as `pointer: problem`.
pub fn validate(schema: &Value, instance: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(schema, schema, instance, "", &mut errors);
    errors
}

fn type_ok(name: &str, v: &Value) -> bool {
    match name {
        "object" => v.is_object(),
        "array" => v.is_array(),
        "string" => v.is_string(),
        "integer" => v.is_i64() || v.is_u64(),
        "number" => v.is_number(),
        "boolean" => v.is_boolean(),
        "null" => v.is_null(),
        other => panic!("schema uses unknown type `{other}`"),
    }
}

fn check(root: &Value, schema: &Value, v: &Value, at: &str, errors: &mut Vec<String>) {
    let Some(obj) = schema.as_object() else {
        panic!("schema at {at} is not an object");
    };
    for (key, arg) in obj {
        match key.as_str() {
            k if ANNOTATIONS.contains(&k) => {}
            "type" => {
                let names: Vec<&str> = match arg {
                    Value::String(s) => vec![s.as_str()],
                    Value::Array(a) => a.iter().filter_map(Value::as_str).collect(),
                    _ => panic!("bad `type` at {at}"),
                };
                if !names.iter().any(|n| type_ok(n, v)) {
                    errors.push(format!("{at}: expected {names:?}, found {v}"));
                }
            }
            "enum" => {
                let options = arg.as_array().expect("enum is an array");
                if !options.contains(v) {
                    errors.push(format!("{at}: {v} is not one of {arg}"));
                }
            }
            "const" => {
                if arg != v {
                    errors.push(format!("{at}: {v} is not {arg}"));
                }
            }
            "required" => {
                if let Some(o) = v.as_object() {
                    for name in arg.as_array().expect("required is an array") {
                        let name = name.as_str().expect("required names are strings");
                        if !o.contains_key(name) {
                            errors.push(format!("{at}: missing required `{name}`"));
                        }
                    }
                }
            }
            "properties" => {
                if let Some(o) = v.as_object() {
                    for (name, sub) in arg.as_object().expect("properties is an object") {
                        if let Some(value) = o.get(name) {
                            check(root, sub, value, &format!("{at}/{name}"), errors);
                        }
                    }
                }
            }
            "items" => {
                if let Some(a) = v.as_array() {
                    for (i, item) in a.iter().enumerate() {
                        check(root, arg, item, &format!("{at}/{i}"), errors);
                    }
                }
            }
            "minItems" => {
                let min = arg.as_u64().expect("minItems is a number") as usize;
                if v.as_array().is_some_and(|a| a.len() < min) {
                    errors.push(format!("{at}: fewer than {min} items"));
                }
            }
            "$ref" => {
                let r = arg.as_str().expect("$ref is a string");
                let name = r
                    .strip_prefix("#/$defs/")
                    .unwrap_or_else(|| panic!("only #/$defs/ references are supported: {r}"));
                let target = root
                    .pointer(&format!("/$defs/{name}"))
                    .unwrap_or_else(|| panic!("$ref {r} points nowhere"));
                check(root, target, v, at, errors);
            }
            "oneOf" => {
                let passing = arg
                    .as_array()
                    .expect("oneOf is an array")
                    .iter()
                    .filter(|sub| {
                        let mut e = Vec::new();
                        check(root, sub, v, at, &mut e);
                        e.is_empty()
                    })
                    .count();
                if passing != 1 {
                    errors.push(format!("{at}: {passing} oneOf branches match {v}"));
                }
            }
            "pattern" => {
                if let Some(s) = v.as_str() {
                    let re = regex::Regex::new(arg.as_str().expect("pattern is a string"))
                        .expect("pattern compiles");
                    if !re.is_match(s) {
                        errors.push(format!("{at}: `{s}` does not match {arg}"));
                    }
                }
            }
            "minimum" => {
                let min = arg.as_f64().expect("minimum is a number");
                if v.as_f64().is_some_and(|n| n < min) {
                    errors.push(format!("{at}: {v} is below {min}"));
                }
            }
            "minLength" => {
                let min = arg.as_u64().expect("minLength is a number") as usize;
                if v.as_str().is_some_and(|s| s.chars().count() < min) {
                    errors.push(format!("{at}: shorter than {min}"));
                }
            }
            other => panic!("schema keyword `{other}` at {at} is not supported by this validator"),
        }
    }
}

/// Validate every instance with Python's `jsonschema` package too, when it
/// is installed (a full draft 2020-12 implementation), in one process.
/// `None` when it is not available.
pub fn python_validate(
    schema: &std::path::Path,
    instances: &[Value],
) -> Option<Result<(), String>> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let script = "import json,sys\n\
                  import jsonschema\n\
                  schema=json.load(open(sys.argv[1]))\n\
                  jsonschema.Draft202012Validator.check_schema(schema)\n\
                  v=jsonschema.Draft202012Validator(schema)\n\
                  errs=[f'{i}: {e.message}' for i,x in enumerate(json.load(sys.stdin)) for e in v.iter_errors(x)]\n\
                  print('\\n'.join(errs)); sys.exit(1 if errs else 0)\n";
    let probe = Command::new("python3")
        .args(["-c", "import jsonschema"])
        .stderr(Stdio::null())
        .status()
        .ok()?;
    if !probe.success() {
        return None;
    }
    let mut child = Command::new("python3")
        .args(["-c", script])
        .arg(schema)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .ok()?;
    let all = Value::Array(instances.to_vec());
    child
        .stdin
        .take()?
        .write_all(all.to_string().as_bytes())
        .ok()?;
    let out = child.wait_with_output().ok()?;
    Some(if out.status.success() {
        Ok(())
    } else {
        Err(String::from_utf8_lossy(&out.stdout).into_owned())
    })
}
