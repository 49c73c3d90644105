//! Deterministic random inputs for property tests (no fuzzing crate needed: the
//! properties run over tens of thousands of generated cases on every test run).

/// xorshift64: fast, deterministic, good enough to explore inputs.
pub struct Gen(u64);

impl Gen {
    pub fn new(seed: u64) -> Self {
        Gen(seed | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    /// Bytes that are often JSON-ish: structural characters, quotes, escapes,
    /// digits, UTF-8 fragments, and anything at all.
    pub fn bytes(&mut self, max: usize) -> Vec<u8> {
        const PIECES: &[&[u8]] = &[
            b"{",
            b"}",
            b"[",
            b"]",
            b":",
            b",",
            b"\"",
            b"\\",
            b"\\u",
            b"null",
            b"true",
            b"-1",
            b"1e999",
            b"0.5",
            b"\"id\"",
            b" ",
            b"\n",
            "é".as_bytes(),
            &[0xff],
            &[0xc3],
        ];
        let len = self.below(max + 1);
        let mut out = Vec::with_capacity(len);
        while out.len() < len {
            if self.below(3) == 0 {
                out.push(self.next() as u8);
            } else {
                out.extend_from_slice(PIECES[self.below(PIECES.len())]);
            }
        }
        out
    }

    /// Strings of arbitrary Unicode, weighted towards characters that matter in URLs.
    pub fn string(&mut self, max: usize) -> String {
        const SPECIAL: &[char] = &[
            '/', '%', '.', '?', '#', '&', '=', '+', ' ', '<', '>', '\0', '\n', 'é', '𝄞', '~', '-',
        ];
        let len = self.below(max + 1);
        (0..len)
            .map(|_| match self.below(3) {
                0 => SPECIAL[self.below(SPECIAL.len())],
                1 => char::from_u32(self.next() as u32 % 0x11_0000).unwrap_or('x'),
                _ => (b'a' + self.below(26) as u8) as char,
            })
            .collect()
    }
}
