//! A small HTML tree for the fragment tests: elements with their attributes, children and
//! byte spans in the source, so a test can find an htmx trigger, resolve its target as
//! htmx does and splice a swapped fragment into the page. It reads the HTML maud writes
//! (well-formed, quoted attributes); it is not a general HTML5 parser.

const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr",
];
const RAW: &[&str] = &["script", "style", "textarea", "title"];

#[derive(Debug, Clone)]
pub struct Element {
    pub tag: String,
    pub attrs: Vec<(String, String)>,
    pub parent: Option<usize>,
    pub children: Vec<usize>,
    /// The whole element: from `<` of the start tag to after its end tag.
    pub outer: (usize, usize),
    /// What is between the start and the end tag.
    pub inner: (usize, usize),
    /// The text directly inside, and in descendants (tags dropped).
    pub text: String,
}

impl Element {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    pub fn has_class(&self, class: &str) -> bool {
        self.attr("class")
            .is_some_and(|c| c.split_whitespace().any(|x| x == class))
    }

    /// A simple selector: `tag`, `.class`, `#id`, `tag.class`.
    pub fn matches(&self, sel: &str) -> bool {
        if let Some(id) = sel.strip_prefix('#') {
            return self.attr("id") == Some(id);
        }
        let (tag, class) = sel.split_once('.').unwrap_or((sel, ""));
        (tag.is_empty() || self.tag == tag) && (class.is_empty() || self.has_class(class))
    }
}

#[derive(Debug, Clone)]
pub struct Doc {
    pub source: String,
    pub els: Vec<Element>,
    /// Top-level elements, in order.
    pub roots: Vec<usize>,
}

pub fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

fn attrs(tag_body: &str) -> (String, Vec<(String, String)>) {
    let b = tag_body.as_bytes();
    let mut i = 0;
    while i < b.len() && !b[i].is_ascii_whitespace() {
        i += 1;
    }
    let name = tag_body[..i].to_ascii_lowercase();
    let mut out = Vec::new();
    loop {
        while i < b.len() && b[i].is_ascii_whitespace() {
            i += 1;
        }
        if i >= b.len() || b[i] == b'/' {
            break;
        }
        let start = i;
        while i < b.len() && b[i] != b'=' && !b[i].is_ascii_whitespace() {
            i += 1;
        }
        let key = tag_body[start..i].to_ascii_lowercase();
        if i < b.len() && b[i] == b'=' {
            i += 1;
            let q = b[i];
            let value = if q == b'"' || q == b'\'' {
                let end = i + 1 + tag_body[i + 1..].find(q as char).expect("closing quote");
                let v = &tag_body[i + 1..end];
                i = end + 1;
                v
            } else {
                let s = i;
                while i < b.len() && !b[i].is_ascii_whitespace() {
                    i += 1;
                }
                &tag_body[s..i]
            };
            out.push((key, unescape(value)));
        } else {
            out.push((key, String::new()));
        }
    }
    (name, out)
}

pub fn parse(source: &str) -> Doc {
    let mut els: Vec<Element> = Vec::new();
    let mut roots = Vec::new();
    let mut stack: Vec<usize> = Vec::new();
    let mut i = 0;
    let text_to_stack = |els: &mut Vec<Element>, stack: &[usize], t: &str| {
        for &e in stack {
            els[e].text.push_str(t);
        }
    };
    while let Some(off) = source[i..].find('<') {
        let lt = i + off;
        text_to_stack(&mut els, &stack, &unescape(&source[i..lt]));
        let rest = &source[lt..];
        if rest.starts_with("<!--") {
            i = lt + rest.find("-->").expect("end of comment") + 3;
            continue;
        }
        let gt = lt + rest.find('>').expect("end of tag");
        if rest.starts_with("<!") {
            i = gt + 1;
            continue;
        }
        if let Some(name) = rest.strip_prefix("</") {
            let name = name[..gt - lt - 2].trim().to_ascii_lowercase();
            let at = stack
                .iter()
                .rposition(|&e| els[e].tag == name)
                .unwrap_or_else(|| panic!("</{name}> without its start tag at {lt}"));
            for &e in &stack[at..] {
                els[e].inner.1 = lt;
                els[e].outer.1 = gt + 1;
            }
            stack.truncate(at);
            i = gt + 1;
            continue;
        }
        let (tag, a) = attrs(source[lt + 1..gt].trim_end_matches('/'));
        let id = els.len();
        els.push(Element {
            tag: tag.clone(),
            attrs: a,
            parent: stack.last().copied(),
            children: Vec::new(),
            outer: (lt, gt + 1),
            inner: (gt + 1, gt + 1),
            text: String::new(),
        });
        match stack.last() {
            Some(&p) => els[p].children.push(id),
            None => roots.push(id),
        }
        i = gt + 1;
        if VOID.contains(&tag.as_str()) {
            continue;
        }
        if RAW.contains(&tag.as_str()) {
            let close = format!("</{tag}");
            let end = i + source[i..].find(&close).expect("end of raw text");
            let gt2 = end + source[end..].find('>').unwrap();
            let raw = unescape(&source[i..end]);
            text_to_stack(&mut els, &stack, &raw);
            els[id].text = raw;
            els[id].inner = (i, end);
            els[id].outer.1 = gt2 + 1;
            i = gt2 + 1;
            continue;
        }
        stack.push(id);
    }
    assert!(
        stack.is_empty(),
        "unclosed elements: {:?}",
        stack.iter().map(|&e| &els[e].tag).collect::<Vec<_>>()
    );
    Doc {
        source: source.to_string(),
        els,
        roots,
    }
}

impl Doc {
    pub fn el(&self, i: usize) -> &Element {
        &self.els[i]
    }

    pub fn find_all(&self, f: impl Fn(&Element) -> bool) -> Vec<usize> {
        (0..self.els.len()).filter(|&i| f(&self.els[i])).collect()
    }

    pub fn by_id(&self, id: &str) -> Option<usize> {
        self.find_all(|e| e.attr("id") == Some(id)).first().copied()
    }

    /// The element and its ancestors, nearest first.
    pub fn ancestry(&self, i: usize) -> Vec<usize> {
        let mut out = vec![i];
        while let Some(p) = self.els[*out.last().unwrap()].parent {
            out.push(p);
        }
        out
    }

    /// htmx's attribute inheritance: the value on the element or its nearest ancestor.
    pub fn inherited(&self, i: usize, name: &str) -> Option<String> {
        self.ancestry(i)
            .into_iter()
            .find_map(|a| self.els[a].attr(name).map(str::to_string))
    }

    pub fn closest(&self, i: usize, sel: &str) -> Option<usize> {
        self.ancestry(i)
            .into_iter()
            .find(|&a| self.els[a].matches(sel))
    }

    pub fn descendants(&self, i: usize) -> Vec<usize> {
        let mut out = Vec::new();
        let mut todo = self.els[i].children.clone();
        while let Some(c) = todo.pop() {
            out.push(c);
            todo.extend(self.els[c].children.iter().copied());
        }
        out.sort();
        out
    }

    /// Element children with the given tag.
    pub fn children_tagged(&self, i: usize, tag: &str) -> Vec<usize> {
        self.els[i]
            .children
            .iter()
            .copied()
            .filter(|&c| self.els[c].tag == tag)
            .collect()
    }

    pub fn outer_html(&self, i: usize) -> &str {
        let (a, b) = self.els[i].outer;
        &self.source[a..b]
    }

    /// Text outside any top-level element (a fragment whose root is not one element).
    pub fn stray_text(&self) -> String {
        let mut s = self.source.clone();
        for &r in self.roots.iter().rev() {
            let (a, b) = self.els[r].outer;
            s.replace_range(a..b, "");
        }
        s.trim().to_string()
    }
}
