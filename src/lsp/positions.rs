//! LSP positions (line, character) and byte offsets. A character is a UTF-16 code unit
//! unless the client accepted UTF-8 (`positionEncoding`, LSP 3.17), which is then used.

use serde_json::{json, Value};

pub struct Lines<'t> {
    text: &'t str,
    starts: Vec<usize>,
    utf8: bool,
}

impl<'t> Lines<'t> {
    pub fn new(text: &'t str, utf8: bool) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Lines { text, starts, utf8 }
    }

    /// The byte offset of a position; past the end of a line is its end, past the last
    /// line the end of the text.
    pub fn offset(&self, line: usize, character: usize) -> usize {
        let Some(&start) = self.starts.get(line) else { return self.text.len() };
        let end = self.starts.get(line + 1).map_or(self.text.len(), |next| next - 1);
        let line_text = self.text.get(start..end).unwrap_or("");
        if self.utf8 {
            let mut at = character.min(line_text.len());
            while !line_text.is_char_boundary(at) {
                at -= 1;
            }
            return start + at;
        }
        let mut units = 0;
        for (i, c) in line_text.char_indices() {
            if units >= character {
                return start + i;
            }
            units += c.len_utf16();
        }
        end
    }

    pub fn position(&self, offset: usize) -> Value {
        let offset = offset.min(self.text.len());
        let line = self.starts.partition_point(|s| *s <= offset).saturating_sub(1);
        let start = self.starts.get(line).copied().unwrap_or(0);
        let before = self.text.get(start..offset).unwrap_or("");
        let character = if self.utf8 { before.len() } else { before.chars().map(char::len_utf16).sum() };
        json!({ "line": line, "character": character })
    }

    pub fn range(&self, start: usize, end: usize) -> Value {
        json!({ "start": self.position(start), "end": self.position(end) })
    }
}
