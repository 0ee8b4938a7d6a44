//! Following a marketplace's pages to the end of a window, or failing: a sync applies a window only
//! when every page of it was read, so a marketplace that repeats a page token or never stops offering
//! one must make the fetch fail (the sync cursor then stays where it was) rather than end it early.

use crate::model::ChannelError;
use serde_json::Value;
use std::collections::HashSet;

/// Pages followed at most in one walk unless the channel's `max_pages` setting says otherwise: far
/// more than any real window needs, so reaching it means the marketplace keeps offering pages.
pub(crate) const DEFAULT_MAX_PAGES: usize = 10_000;

/// The page cap a connector applies: the `max_pages` setting, [`DEFAULT_MAX_PAGES`] by default.
pub(crate) fn max_pages(settings: &Value) -> usize {
    settings
        .get("max_pages")
        .and_then(Value::as_u64)
        .map_or(DEFAULT_MAX_PAGES, |n| usize::try_from(n).unwrap_or(usize::MAX).max(1))
}

/// One walk through the pages of one list, counting the pages read and the tokens seen.
#[derive(Debug)]
pub(crate) struct PageWalk {
    what: String,
    max_pages: usize,
    pages_read: usize,
    seen: HashSet<String>,
}

impl PageWalk {
    /// A walk through the pages of `what` (named in errors), reading at most `max_pages` pages.
    pub fn new(what: impl Into<String>, max_pages: usize) -> Self {
        PageWalk { what: what.into(), max_pages: max_pages.max(1), pages_read: 0, seen: HashSet::new() }
    }

    /// Records that a page was read and that it offers `token` for the next one. Errs when the token
    /// was offered before (the marketplace would loop) or when the cap is reached with pages left:
    /// either way the list was not read whole.
    pub fn follow(&mut self, token: &str) -> Result<(), ChannelError> {
        self.pages_read += 1;
        if !self.seen.insert(token.to_string()) {
            return Err(ChannelError::Permanent(format!(
                "{} repeated its next-page token {token}: the list was not read whole, so nothing of this window is taken",
                self.what
            )));
        }
        if self.pages_read >= self.max_pages {
            return Err(ChannelError::Permanent(format!(
                "{} still offered a next page after {} pages: the list was not read whole, so nothing of this window is \
                 taken (a channel's max_pages setting raises the limit)",
                self.what, self.pages_read
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_walk_stops_with_an_error_at_the_cap_and_at_a_repeated_token() {
        let mut walk = PageWalk::new("getOrders", 3);
        walk.follow("a").unwrap();
        walk.follow("b").unwrap();
        let e = walk.follow("c").unwrap_err();
        assert!(matches!(&e, ChannelError::Permanent(m) if m.contains("getOrders still offered a next page after 3 pages")));

        let mut walk = PageWalk::new("Paytm orders", 10);
        walk.follow("a").unwrap();
        let e = walk.follow("a").unwrap_err();
        assert!(matches!(&e, ChannelError::Permanent(m) if m.contains("repeated its next-page token a")));
    }

    #[test]
    fn the_cap_comes_from_the_settings() {
        assert_eq!(max_pages(&json!({})), DEFAULT_MAX_PAGES);
        assert_eq!(max_pages(&json!({"max_pages": 5})), 5);
        assert_eq!(max_pages(&json!({"max_pages": 0})), 1);
    }
}
