//! Just enough HTML reading for the tests to do what a browser does with a form: find the
//! form's action and its inputs.

/// A form as a browser would submit it.
#[derive(Clone, Debug)]
pub struct Form {
    /// Where it posts.
    pub action: String,
    /// Its inputs' names and values (hidden ones and those with a value), in order.
    pub fields: Vec<(String, String)>,
    /// The names of all its inputs, filled or not.
    pub input_names: Vec<String>,
}

impl Form {
    /// The value of a field.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.fields
            .iter()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }

    /// Sets (or adds) a field.
    pub fn set(&mut self, name: &str, value: &str) {
        match self
            .fields
            .iter_mut()
            .find(|(field, _)| field.eq_ignore_ascii_case(name))
        {
            Some(field) => field.1 = value.to_owned(),
            None => self.fields.push((name.to_owned(), value.to_owned())),
        }
    }
}

fn unescape(text: &str) -> String {
    text.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The attributes of one tag's text (`<input a="b" c='d'>`).
fn attributes(tag: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut rest = tag;
    while let Some(equals) = rest.find('=') {
        let name = rest[..equals]
            .rsplit(|c: char| c.is_whitespace())
            .next()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let after = rest[equals + 1..].trim_start();
        let (value, remaining) = match after.chars().next() {
            Some(quote @ ('"' | '\'')) => {
                let end = after[1..].find(quote).map_or(after.len(), |end| end + 1);
                (&after[1..end], after.get(end + 1..).unwrap_or_default())
            }
            _ => {
                let end = after
                    .find(|c: char| c.is_whitespace() || c == '>')
                    .unwrap_or(after.len());
                (&after[..end], &after[end..])
            }
        };
        out.push((name, unescape(value)));
        rest = remaining;
    }
    out
}

fn attribute(attributes: &[(String, String)], name: &str) -> Option<String> {
    attributes
        .iter()
        .find(|(attribute, _)| attribute == name)
        .map(|(_, value)| value.clone())
}

/// Every form of a page, in order.
pub fn forms(html: &str) -> Vec<Form> {
    let lower = html.to_ascii_lowercase();
    let mut forms = Vec::new();
    let mut at = 0;
    while let Some(start) = lower[at..].find("<form").map(|i| i + at) {
        let end = lower[start..]
            .find("</form")
            .map_or(html.len(), |i| i + start);
        let tag_end = lower[start..].find('>').map_or(end, |i| i + start);
        let form_attributes = attributes(&html[start + 5..tag_end]);
        let mut form = Form {
            action: attribute(&form_attributes, "action").unwrap_or_default(),
            fields: Vec::new(),
            input_names: Vec::new(),
        };
        let mut cursor = tag_end;
        while let Some(input) = lower[cursor..end].find("<input").map(|i| i + cursor) {
            let input_end = lower[input..].find('>').map_or(end, |i| i + input);
            let input_attributes = attributes(&html[input + 6..input_end]);
            if let Some(name) = attribute(&input_attributes, "name") {
                form.input_names.push(name.clone());
                let kind = attribute(&input_attributes, "type").unwrap_or_default();
                if let Some(value) = attribute(&input_attributes, "value")
                    && kind != "checkbox"
                {
                    form.fields.push((name, value));
                }
            }
            cursor = input_end;
        }
        forms.push(form);
        at = end.max(start + 5);
    }
    forms
}
