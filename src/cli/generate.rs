//! `completions` and `man`: generated from the clap definition, so they
//! never drift from the real flags.

use std::io::Write;

use clap::CommandFactory;

use super::Cli;

/// `ocaudit completions SHELL`: the completion script on `out`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> anyhow::Result<u8> {
    let mut cmd = Cli::command();
    // Generate into memory: clap_complete panics on a write error, and a
    // closed pipe (`| head`) must stay a quiet success.
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ocaudit", &mut script);
    out.write_all(&script)?;
    Ok(0)
}

/// `ocaudit man [SUBCOMMAND]`: the roff man page of ocaudit(1), or of
/// ocaudit-SUBCOMMAND(1).
pub fn man(subcommand: Option<&str>, out: &mut dyn Write) -> anyhow::Result<u8> {
    let cmd = Cli::command();
    let page = match subcommand {
        None => cmd,
        Some(name) => {
            let Some(sub) = cmd.find_subcommand(name).cloned() else {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(|c| c.get_name())
                    .filter(|n| *n != "help")
                    .collect();
                anyhow::bail!(
                    "no subcommand `{name}`; man pages exist for: {}",
                    names.join(", ")
                );
            };
            let name = sub.get_name().to_owned();
            sub.display_name(format!("ocaudit-{name}"))
                .bin_name(format!("ocaudit {name}"))
                .version(env!("CARGO_PKG_VERSION"))
        }
    };
    clap_mangen::Man::new(page)
        .source(format!("ocaudit {}", env!("CARGO_PKG_VERSION")))
        .render(out)?;
    Ok(0)
}
