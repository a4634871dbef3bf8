//! The word files, compiled in and read once.

use std::collections::HashMap;
use std::sync::OnceLock;

use kasa_domain::Language;

/// Every word file, by area. Add a file here when an area gets its own.
const FILES: &[(&str, &str)] = &[
    ("common", include_str!("../words/common.txt")),
    ("console", include_str!("../words/console.txt")),
    ("customers", include_str!("../words/customers.txt")),
    ("billing", include_str!("../words/billing.txt")),
    ("documents", include_str!("../words/documents.txt")),
    ("email", include_str!("../words/email.txt")),
    ("pdf", include_str!("../words/pdf.txt")),
    ("operator", include_str!("../words/operator.txt")),
    ("access", include_str!("../words/access.txt")),
    ("actions", include_str!("../words/actions.txt")),
    ("problems", include_str!("../words/problems.txt")),
    ("panel", include_str!("../words/panel.txt")),
    ("report_pages", include_str!("../words/report_pages.txt")),
    ("helpdesk", include_str!("../words/helpdesk.txt")),
    (
        "helpdesk_events",
        include_str!("../words/helpdesk_events.txt"),
    ),
    ("helpdesk_apps", include_str!("../words/helpdesk_apps.txt")),
    ("questions", include_str!("../words/questions.txt")),
    (
        "payment_requests",
        include_str!("../words/payment_requests.txt"),
    ),
    ("coupons", include_str!("../words/coupons.txt")),
    ("portal", include_str!("../words/portal.txt")),
    ("webhooks", include_str!("../words/webhooks.txt")),
    ("imports", include_str!("../words/imports.txt")),
];

/// One entry's words in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// English.
    pub en: &'static str,
    /// Turkish.
    pub tr: &'static str,
}

/// A word file that cannot be read.
#[derive(Debug)]
pub struct WordsError {
    /// The file's area.
    pub file: &'static str,
    /// The line, from 1.
    pub line: usize,
    /// What is wrong.
    pub problem: String,
}

impl std::fmt::Display for WordsError {
    fn fmt(&self, formatter: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            formatter,
            "words/{}.txt line {}: {}",
            self.file, self.line, self.problem
        )
    }
}

impl std::error::Error for WordsError {}

/// Every entry of every file, checked: each key once, each with English and Turkish.
///
/// # Errors
/// The first [`WordsError`].
pub fn entries() -> Result<HashMap<&'static str, Entry>, WordsError> {
    let mut all = HashMap::new();
    for &(file, text) in FILES {
        parse(file, text, &mut all)?;
    }
    Ok(all)
}

fn parse(
    file: &'static str,
    text: &'static str,
    all: &mut HashMap<&'static str, Entry>,
) -> Result<(), WordsError> {
    let error = |line: usize, problem: String| WordsError {
        file,
        line,
        problem,
    };
    let mut current: Option<(
        &'static str,
        usize,
        Option<&'static str>,
        Option<&'static str>,
    )> = None;
    let finish = |current: Option<(
        &'static str,
        usize,
        Option<&'static str>,
        Option<&'static str>,
    )>,
                  all: &mut HashMap<&'static str, Entry>|
     -> Result<(), WordsError> {
        if let Some((key, line, en, tr)) = current {
            let (Some(en), Some(tr)) = (en, tr) else {
                return Err(error(line, format!("[{key}] needs both `en =` and `tr =`")));
            };
            if all.insert(key, Entry { en, tr }).is_some() {
                return Err(error(line, format!("[{key}] is defined twice")));
            }
        }
        Ok(())
    };
    for (index, raw) in text.lines().enumerate() {
        let number = index + 1;
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(key) = line
            .strip_prefix('[')
            .and_then(|rest| rest.strip_suffix(']'))
        {
            finish(current.take(), all)?;
            if key.is_empty() || key.contains(char::is_whitespace) {
                return Err(error(number, format!("`{key}` is not a key")));
            }
            current = Some((key, number, None, None));
            continue;
        }
        let Some((language, value)) = line.split_once('=') else {
            return Err(error(
                number,
                format!("expected `en = …` or `tr = …`, found `{line}`"),
            ));
        };
        let Some(entry) = current.as_mut() else {
            return Err(error(number, "words before the first [key]".to_owned()));
        };
        let slot = match language.trim() {
            "en" => &mut entry.2,
            "tr" => &mut entry.3,
            other => return Err(error(number, format!("unknown language `{other}`"))),
        };
        if slot.replace(value.trim()).is_some() {
            return Err(error(
                number,
                format!("[{}] has `{}` twice", entry.0, language.trim()),
            ));
        }
    }
    finish(current, all)
}

/// The words of `key` in `language`.
pub fn lookup(key: &str, language: Language) -> Option<&'static str> {
    static ALL: OnceLock<HashMap<&'static str, Entry>> = OnceLock::new();
    let all = ALL.get_or_init(|| entries().unwrap_or_default());
    all.get(key).map(|entry| match language {
        Language::En => entry.en,
        Language::Tr => entry.tr,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_word_file_reads_with_both_languages() {
        let all = entries().unwrap_or_else(|error| panic!("{error}"));
        assert!(all.len() > 10, "{} entries", all.len());
        for (key, entry) in &all {
            assert!(
                !entry.en.is_empty() && !entry.tr.is_empty(),
                "[{key}] is empty"
            );
        }
    }

    #[test]
    fn a_broken_file_names_its_line() {
        let mut all = HashMap::new();
        let error = parse("x", "[a]\nen = A\n", &mut all).unwrap_err();
        assert_eq!(
            error.to_string(),
            "words/x.txt line 1: [a] needs both `en =` and `tr =`"
        );
        let error = parse(
            "x",
            "[a]\nen = A\ntr = A\n[a]\nen = B\ntr = B\n",
            &mut HashMap::new(),
        )
        .unwrap_err();
        assert!(error.to_string().contains("defined twice"), "{error}");
        let error = parse("x", "en = A\n", &mut HashMap::new()).unwrap_err();
        assert!(error.to_string().contains("before the first"), "{error}");
    }
}
