//! [`Levels`]: the distinct values of a categorical or text column, held in one buffer.
//!
//! A `Vec<String>` costs 24 bytes a level plus one heap allocation each (32 bytes or more with the
//! allocator's bookkeeping): a column of 10M distinct 8-character ids held ~560 MB of levels for 80 MB of
//! text. Here every level's bytes sit end to end in one `String`, with one end offset a level: 8 + its
//! length, ~160 MB for the same column, and no allocation per level while loading.

use std::fmt;
use std::ops::Index;

/// Distinct values of a column (sorted once the column is built), in one buffer; level `i` is `&levels[i]`.
#[derive(Clone, Default, PartialEq, Eq)]
pub struct Levels {
    /// Every level's text, end to end.
    text: String,
    /// End offset in `text` of each level (its start is the previous level's end).
    ends: Vec<usize>,
}

impl Levels {
    /// No levels.
    pub fn new() -> Self {
        Self::default()
    }

    /// Room for `levels` levels of `bytes` bytes in all.
    pub fn with_capacity(levels: usize, bytes: usize) -> Self {
        Self {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(levels),
        }
    }

    /// Number of levels.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// Whether there is no level.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Level `i`, if there is one.
    pub fn get(&self, i: usize) -> Option<&str> {
        let end = *self.ends.get(i)?;
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        self.text.get(start..end)
    }

    /// Appends a level (the caller keeps levels distinct).
    pub fn push(&mut self, level: &str) {
        self.text.push_str(level);
        self.ends.push(self.text.len());
    }

    /// Removes every level, keeping the buffers.
    pub fn clear(&mut self) {
        self.text.clear();
        self.ends.clear();
    }

    /// The levels in order.
    pub fn iter(&self) -> Iter<'_> {
        Iter {
            levels: self,
            front: 0,
            back: self.len(),
        }
    }

    /// Position of `level` in sorted levels (`Err`: where it would go), as `slice::binary_search`.
    pub fn binary_search(&self, level: &str) -> Result<usize, usize> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            match self[mid].cmp(level) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }

    /// Whether `level` is one of the levels (a linear scan: the levels need not be sorted).
    pub fn contains(&self, level: &str) -> bool {
        self.iter().any(|l| l == level)
    }

    /// The levels as owned strings.
    pub fn to_vec(&self) -> Vec<String> {
        self.iter().map(str::to_owned).collect()
    }

    /// The levels in the order `order` gives (`order[new] = old`).
    #[must_use]
    pub fn permuted(&self, order: &[u32]) -> Levels {
        let mut out = Levels::with_capacity(order.len(), self.text.len());
        for &o in order {
            out.push(&self[o as usize]);
        }
        out
    }

    /// Heap bytes held (text and offsets).
    pub fn heap_bytes(&self) -> usize {
        self.text.capacity() + self.ends.capacity() * std::mem::size_of::<usize>()
    }
}

impl Index<usize> for Levels {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        match self.get(i) {
            Some(level) => level,
            None => panic!("level {i} of {}", self.len()),
        }
    }
}

impl fmt::Debug for Levels {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<S: AsRef<str>> FromIterator<S> for Levels {
    fn from_iter<I: IntoIterator<Item = S>>(iter: I) -> Self {
        let mut out = Levels::new();
        for s in iter {
            out.push(s.as_ref());
        }
        out
    }
}

impl<S: AsRef<str>> From<Vec<S>> for Levels {
    fn from(v: Vec<S>) -> Self {
        v.iter().collect()
    }
}

impl<S: AsRef<str>> PartialEq<[S]> for Levels {
    fn eq(&self, other: &[S]) -> bool {
        self.len() == other.len() && self.iter().zip(other).all(|(a, b)| a == b.as_ref())
    }
}

impl<S: AsRef<str>, const N: usize> PartialEq<[S; N]> for Levels {
    fn eq(&self, other: &[S; N]) -> bool {
        *self == other[..]
    }
}

impl<S: AsRef<str>> PartialEq<Vec<S>> for Levels {
    fn eq(&self, other: &Vec<S>) -> bool {
        *self == other[..]
    }
}

impl<'a> IntoIterator for &'a Levels {
    type Item = &'a str;
    type IntoIter = Iter<'a>;

    fn into_iter(self) -> Iter<'a> {
        self.iter()
    }
}

/// Iterator over [`Levels`].
#[derive(Clone, Debug)]
pub struct Iter<'a> {
    levels: &'a Levels,
    front: usize,
    back: usize,
}

impl<'a> Iterator for Iter<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        if self.front == self.back {
            return None;
        }
        self.front += 1;
        self.levels.get(self.front - 1)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let n = self.back - self.front;
        (n, Some(n))
    }
}

impl DoubleEndedIterator for Iter<'_> {
    fn next_back(&mut self) -> Option<Self::Item> {
        if self.front == self.back {
            return None;
        }
        self.back -= 1;
        self.levels.get(self.back)
    }
}

impl ExactSizeIterator for Iter<'_> {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_read_back_as_pushed() {
        let v = ["", "b", "ü-x", "", "longer level"];
        let l: Levels = v.iter().collect();
        assert_eq!(l.len(), 5);
        assert_eq!(l.iter().collect::<Vec<_>>(), v);
        assert_eq!(
            l.iter().rev().collect::<Vec<_>>(),
            v.iter().rev().copied().collect::<Vec<_>>()
        );
        assert_eq!(&l[2], "ü-x");
        assert_eq!(l.get(5), None);
        assert!(l.contains("longer level") && !l.contains("c"));
        assert_eq!(l.to_vec(), v.map(String::from));
        assert_eq!(l, v);
        assert!(l != ["", "b"] && l != v.map(|s| format!("{s}.")));
        assert_eq!(format!("{l:?}"), format!("{v:?}"));
        let mut it = l.iter();
        it.next();
        assert_eq!(it.len(), 4);
    }

    #[test]
    fn binary_search_agrees_with_the_slice_one() {
        let v = ["a", "b", "bb", "c", "x"];
        let l = Levels::from(v.to_vec());
        for probe in ["", "a", "aa", "b", "bb", "bc", "c", "x", "z"] {
            assert_eq!(l.binary_search(probe), v.binary_search(&probe), "{probe}");
        }
        assert_eq!(Levels::new().binary_search("a"), Err(0));
    }

    #[test]
    fn permuted_reorders_and_clear_empties() {
        let mut l = Levels::from(vec!["c", "a", "b"]);
        assert_eq!(l.permuted(&[1, 2, 0]).to_vec(), ["a", "b", "c"]);
        l.clear();
        assert!(l.is_empty());
        l.push("z");
        assert_eq!(&l[0], "z");
    }
}
