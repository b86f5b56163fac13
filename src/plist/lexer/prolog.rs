//! What comes before and after the root element: the XML declaration,
//! comments, processing instructions and the DOCTYPE.

use super::chars::{char_error, err, forbidden_char};
use super::{Lexer, Result, Tag, find};

impl<'t> Lexer<'t> {
    /// Everything before the root element; returns the root's start tag.
    pub fn prolog(&mut self) -> Result<Tag<'t>> {
        // OpenCore's reader skips each of these to its first `>`: one
        // inside (or an internal subset) is read differently.
        let one_gt = |b: &[u8]| b.iter().filter(|&&c| c == b'>').count() == 1 && !b.contains(&b'[');
        if self.starts_with(b"<?xml ") {
            let start = self.pos;
            self.declaration()?;
            self.unusual |= !one_gt(&self.b[start..self.pos]);
        }
        self.misc()?;
        if self.starts_with(b"<!DOCTYPE") {
            let start = self.pos;
            self.doctype()?;
            self.unusual |= !one_gt(&self.b[start..self.pos]);
            self.misc()?;
        }
        match self.peek() {
            Some(b'<') => self.start_tag(),
            None => Err(err(self.pos, "the file has no root element `<plist>`")),
            Some(_) => Err(self.expected("the root element `<plist>`")),
        }
    }

    /// Everything after the root element: only comments, processing
    /// instructions and whitespace may follow.
    pub fn epilog(&mut self) -> Result<()> {
        self.misc()?;
        if self.pos < self.b.len() {
            return Err(err(
                self.pos,
                format!(
                    "{} after the end of the root element; a file holds one root element",
                    self.found(self.pos)
                ),
            ));
        }
        Ok(())
    }

    fn misc(&mut self) -> Result<()> {
        loop {
            self.skip_spaces();
            if self.starts_with(b"<!--") {
                self.comment()?;
            } else if self.starts_with(b"<?") {
                self.pi()?;
            } else {
                return Ok(());
            }
        }
    }

    fn declaration(&mut self) -> Result<()> {
        self.pos += 5;
        self.skip_spaces();
        if !self.starts_with(b"version") {
            return Err(self.expected("`version=` in the XML declaration"));
        }
        self.attribute(false)?;
        self.decl_space()?;
        if self.starts_with(b"encoding") {
            self.attribute(false)?;
            self.decl_space()?;
        }
        if self.starts_with(b"standalone") {
            self.attribute(false)?;
        }
        self.skip_spaces();
        self.expect("?>", || "`?>` to end the XML declaration".into())
    }

    fn decl_space(&mut self) -> Result<()> {
        if !self.skip_spaces() && !self.starts_with(b"?>") && self.pos < self.b.len() {
            return Err(self.expected("whitespace or `?>` in the XML declaration"));
        }
        Ok(())
    }

    pub(super) fn comment(&mut self) -> Result<()> {
        self.unusual = true;
        let start = self.pos;
        let body = start + 4;
        let Some(len) = find(&self.b[body..], b"-->") else {
            self.pos = self.b.len();
            return Err(err(start, "this comment is never closed with `-->`"));
        };
        let content = &self.text[body..body + len];
        if content.contains("--") || content.ends_with('-') {
            return Err(err(start, "a comment may not contain `--`"));
        }
        if let Some((at, c)) = forbidden_char(self.text, body, body + len) {
            return Err(char_error(at, c));
        }
        self.pos = body + len + 3;
        self.count_node()
    }

    pub(super) fn pi(&mut self) -> Result<()> {
        self.unusual = true;
        let start = self.pos;
        if self.starts_with(b"<?xml ") {
            return Err(err(
                start,
                "an XML declaration `<?xml ...?>` is only allowed at the very start of the file",
            ));
        }
        self.pos += 2;
        self.name("a processing-instruction name after `<?`")?;
        self.skip_spaces();
        let body = self.pos;
        let Some(len) = find(&self.b[body..], b"?>") else {
            return Err(err(
                start,
                "this processing instruction is never closed with `?>`",
            ));
        };
        if let Some((at, c)) = forbidden_char(self.text, body, body + len) {
            return Err(char_error(at, c));
        }
        self.pos = body + len + 2;
        self.count_node()
    }

    fn doctype(&mut self) -> Result<()> {
        self.pos += 9;
        if !self.skip_spaces() {
            return Err(self.expected("whitespace after `<!DOCTYPE`"));
        }
        self.name("a document type name")?;
        self.skip_spaces();
        if self.starts_with(b"SYSTEM") || self.starts_with(b"PUBLIC") {
            let public = self.starts_with(b"PUBLIC");
            self.pos += 6;
            self.literal()?;
            if public {
                self.literal()?;
            }
            self.skip_spaces();
        }
        match self.peek() {
            Some(b'>') => {
                self.pos += 1;
                return Ok(());
            }
            Some(b'[') => self.pos += 1,
            _ => return Err(self.expected("`[` or `>` in the DOCTYPE")),
        }
        loop {
            self.skip_spaces();
            if self.starts_with(b"<!ENTITY") {
                return Err(err(
                    self.pos,
                    "the DOCTYPE declares entities; property lists never need them and \
                     ocaudit does not expand them",
                ));
            } else if self.starts_with(b"<!--") {
                self.comment()?;
            } else if self.starts_with(b"<?") {
                self.pi()?;
            } else if self.starts_with(b"]") {
                self.pos += 1;
                self.skip_spaces();
                return self.expect(">", || "`>` to end the DOCTYPE".into());
            } else if self.starts_with(b"<!ELEMENT")
                || self.starts_with(b"<!ATTLIST")
                || self.starts_with(b"<!NOTATION")
            {
                match self.b[self.pos..].iter().position(|&c| c == b'>') {
                    Some(i) => self.pos += i + 1,
                    None => return Err(err(self.pos, "this declaration is never closed with `>`")),
                }
            } else {
                return Err(self.expected("a declaration or `]` in the DOCTYPE"));
            }
        }
    }

    /// A quoted literal preceded by required whitespace (DOCTYPE ids).
    fn literal(&mut self) -> Result<()> {
        if !self.skip_spaces() {
            return Err(self.expected("whitespace before a quoted identifier"));
        }
        let Some(q @ (b'"' | b'\'')) = self.peek() else {
            return Err(self.expected("a quoted identifier"));
        };
        match self.b[self.pos + 1..].iter().position(|&c| c == q) {
            Some(i) => {
                self.pos += i + 2;
                Ok(())
            }
            None => Err(err(self.pos, "this quoted identifier is never closed")),
        }
    }
}
