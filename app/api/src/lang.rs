//! The two languages of the console and its reports (en, zh-CN): a plain tag, no bundles.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
pub enum Lang {
    #[default]
    #[serde(rename = "en")]
    En,
    #[serde(rename = "zh-CN")]
    ZhCn,
}

impl Lang {
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::ZhCn,
            Lang::ZhCn => Lang::En,
        }
    }

    /// Parses `en` or `zh-CN` (also `zh`, `zh_CN`), case-insensitively.
    pub fn parse(text: &str) -> Option<Lang> {
        match text.trim().to_ascii_lowercase().replace('_', "-").as_str() {
            "en" | "en-us" | "en-gb" => Some(Lang::En),
            "zh" | "zh-cn" | "zh-hans" => Some(Lang::ZhCn),
            _ => None,
        }
    }
}
