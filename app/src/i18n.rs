//! The translation layer: Fluent bundles for English and Simplified Chinese, compiled into the
//! binary from `assets/locales`.
//!
//! Every user-visible string goes through `I18n::tr`/`tr_args`. A message missing from a locale
//! shows its id (and a test makes sure none is missing).

use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use unic_langid::{LanguageIdentifier, langid};

pub const EN_FTL: &str = include_str!("../../assets/locales/en/main.ftl");
pub const ZH_FTL: &str = include_str!("../../assets/locales/zh-CN/main.ftl");

pub use tianshu_api::Lang;

fn lang_id(lang: Lang) -> LanguageIdentifier {
    match lang {
        Lang::En => langid!("en"),
        Lang::ZhCn => langid!("zh-CN"),
    }
}

pub struct I18n {
    lang: Lang,
    en: FluentBundle<FluentResource>,
    zh: FluentBundle<FluentResource>,
}

impl Default for I18n {
    fn default() -> Self {
        Self::new(Lang::En)
    }
}

impl I18n {
    pub fn new(lang: Lang) -> Self {
        Self {
            lang,
            en: bundle(Lang::En, EN_FTL),
            zh: bundle(Lang::ZhCn, ZH_FTL),
        }
    }

    pub fn lang(&self) -> Lang {
        self.lang
    }

    pub fn set_lang(&mut self, lang: Lang) {
        self.lang = lang;
    }

    /// Picks the domain text in the current language (for bilingual payload fields).
    pub fn pick<'a>(&self, en: &'a str, zh: &'a str) -> &'a str {
        match self.lang {
            Lang::En => en,
            Lang::ZhCn => zh,
        }
    }

    /// A count in the language's habit: `1,234,567` in English; in Chinese the same up to
    /// 99,999, then in 万 (ten thousands) and 亿 (hundred millions): `123.5 万`.
    pub fn count(&self, n: f64) -> String {
        count_in(self.lang, n)
    }

    /// A Beijing calendar date: `23 Nov 2026` / `2026年11月23日`.
    pub fn date(&self, ms: i64) -> String {
        date_in(self.lang, ms)
    }

    pub fn tr(&self, id: &str) -> String {
        self.format(id, None)
    }

    /// The message `id` when this language has it (no warning when not: an optional text).
    pub fn try_tr(&self, id: &str) -> Option<String> {
        let bundle = match self.lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        };
        bundle.get_message(id).and_then(|m| m.value())?;
        Some(self.format(id, None))
    }

    pub fn tr_args(&self, id: &str, args: &[(&str, FluentValue<'_>)]) -> String {
        let mut fluent_args = FluentArgs::new();
        for (k, v) in args {
            fluent_args.set(*k, v.clone());
        }
        self.format(id, Some(&fluent_args))
    }

    fn format(&self, id: &str, args: Option<&FluentArgs<'_>>) -> String {
        let bundle = match self.lang {
            Lang::En => &self.en,
            Lang::ZhCn => &self.zh,
        };
        let Some(pattern) = bundle.get_message(id).and_then(|m| m.value()) else {
            tracing::warn!("missing translation {id} for {:?}", self.lang);
            return id.to_owned();
        };
        let mut errors = vec![];
        let text = bundle.format_pattern(pattern, args, &mut errors);
        if !errors.is_empty() {
            tracing::warn!("translation {id}: {errors:?}");
        }
        text.into_owned()
    }
}

fn bundle(lang: Lang, source: &str) -> FluentBundle<FluentResource> {
    let resource = match FluentResource::try_new(source.to_owned()) {
        Ok(r) => r,
        Err((r, errors)) => {
            tracing::error!("locale {lang:?} has syntax errors: {errors:?}");
            r
        }
    };
    let mut bundle = FluentBundle::new_concurrent(vec![lang_id(lang)]);
    // Unicode isolation marks would show as missing glyphs in egui.
    bundle.set_use_isolating(false);
    if let Err(errors) = bundle.add_resource(resource) {
        tracing::error!("locale {lang:?} repeats messages: {errors:?}");
    }
    bundle
}

/// See [`I18n::count`].
pub fn count_in(lang: Lang, n: f64) -> String {
    if !n.is_finite() {
        return "—".into();
    }
    let sign = if n < 0.0 { "-" } else { "" };
    let a = n.abs();
    match lang {
        Lang::ZhCn if a >= 1.0e8 => format!("{sign}{:.2} 亿", a / 1.0e8),
        Lang::ZhCn if a >= 1.0e5 => format!("{sign}{:.1} 万", a / 1.0e4),
        _ => {
            let digits = format!("{:.0}", a);
            let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
            out.push_str(sign);
            for (i, c) in digits.chars().enumerate() {
                if i > 0 && (digits.len() - i).is_multiple_of(3) {
                    out.push(',');
                }
                out.push(c);
            }
            out
        }
    }
}

/// See [`I18n::date`].
pub fn date_in(lang: Lang, ms: i64) -> String {
    let Some(t) = chrono::DateTime::from_timestamp_millis(ms) else {
        return "—".into();
    };
    let beijing =
        chrono::FixedOffset::east_opt(8 * 3600).unwrap_or(chrono::Offset::fix(&chrono::Utc));
    let t = t.with_timezone(&beijing);
    match lang {
        Lang::En => t.format("%-d %b %Y").to_string(),
        Lang::ZhCn => t.format("%Y年%-m月%-d日").to_string(),
    }
}

/// Message ids defined in an FTL source (for tests and tooling).
pub fn message_ids(source: &str) -> Vec<String> {
    source
        .lines()
        .filter_map(|line| {
            let (id, _) = line.split_once(" =")?;
            let id = id.trim();
            (!id.is_empty()
                && !line.starts_with(' ')
                && id
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .then(|| id.to_owned())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_locales_define_the_same_messages() {
        let mut en = message_ids(EN_FTL);
        let mut zh = message_ids(ZH_FTL);
        en.sort();
        zh.sort();
        assert!(en.len() > 50);
        assert_eq!(en, zh);
    }

    #[test]
    fn locales_parse_cleanly_and_format_arguments() {
        for source in [EN_FTL, ZH_FTL] {
            assert!(FluentResource::try_new(source.to_owned()).is_ok());
        }
        let i18n = I18n::new(Lang::ZhCn);
        assert_eq!(i18n.tr("nav-agents"), "智能体");
        let text = i18n.tr_args("action-expires", &[("secs", 42.into())]);
        assert_eq!(text, "42 秒后过期");
        assert_eq!(I18n::new(Lang::En).tr("no-such-id"), "no-such-id");
    }

    #[test]
    fn every_character_of_the_locales_is_in_the_shipped_font() {
        let charset = include_str!("../../assets/fonts/charset.txt");
        for source in [EN_FTL, ZH_FTL] {
            let missing: String = source
                .chars()
                .filter(|c| !c.is_whitespace() && !charset.contains(*c))
                .collect();
            assert!(
                missing.is_empty(),
                "characters not in the font subset: {missing}"
            );
        }
    }

    #[test]
    fn numbers_and_dates_follow_the_language() {
        assert_eq!(count_in(Lang::En, 1_234_567.0), "1,234,567");
        assert_eq!(count_in(Lang::En, 999.4), "999");
        assert_eq!(count_in(Lang::ZhCn, 50_000.0), "50,000");
        assert_eq!(count_in(Lang::ZhCn, 1_234_567.0), "123.5 万");
        assert_eq!(count_in(Lang::ZhCn, 320_000_000.0), "3.20 亿");
        assert_eq!(count_in(Lang::En, -1500.0), "-1,500");
        assert_eq!(count_in(Lang::En, f64::NAN), "—");
        // 2026-11-01T00:00:00+08:00
        let t = 1_793_462_400_000;
        assert_eq!(date_in(Lang::En, t), "1 Nov 2026");
        assert_eq!(date_in(Lang::ZhCn, t), "2026年11月1日");
    }

    #[test]
    fn every_message_the_code_asks_for_exists_in_both_languages() {
        // Every literal `tr("…")`/`tr_args("…"` id in the sources must be defined in both files:
        // a string missing in either language fails here, not on a wall in front of visitors.
        let en = message_ids(EN_FTL);
        let zh = message_ids(ZH_FTL);
        let mut missing = Vec::new();
        // The console crate and the crates beside it (app/api, app/state, …).
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).to_path_buf();
        let mut stack = vec![root];
        while let Some(dir) = stack.pop() {
            for entry in std::fs::read_dir(&dir).unwrap().flatten() {
                let path = entry.path();
                if path.is_dir() {
                    stack.push(path);
                    continue;
                }
                if path.extension().is_none_or(|e| e != "rs") {
                    continue;
                }
                let text = std::fs::read_to_string(&path).unwrap();
                for pattern in [".tr(\"", ".tr_args(\"", ".tr_args(\n"] {
                    for (i, _) in text.match_indices(pattern) {
                        let rest = text[i + pattern.len()..]
                            .trim_start()
                            .trim_start_matches('"');
                        let id: String = rest
                            .chars()
                            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
                            .collect();
                        if id.len() < 3
                            || id.starts_with("no-such")
                            || !rest[id.len()..].starts_with('"')
                        {
                            continue;
                        }
                        for (lang, ids) in [("en", &en), ("zh-CN", &zh)] {
                            if !ids.contains(&id) {
                                missing.push(format!("{lang}: {id} ({})", path.display()));
                            }
                        }
                    }
                }
            }
        }
        missing.sort();
        missing.dedup();
        assert!(missing.is_empty(), "messages missing: {missing:#?}");
    }

    #[test]
    fn language_names_parse() {
        assert_eq!(Lang::parse("zh_CN"), Some(Lang::ZhCn));
        assert_eq!(Lang::parse("EN"), Some(Lang::En));
        assert_eq!(Lang::parse("fr"), None);
    }
}
