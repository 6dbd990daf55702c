//! Ids in URL paths. Every id, whether a user typed it or a server handed it back, becomes
//! exactly one path segment: percent-encoded except for RFC 3986's unreserved characters,
//! so `/`, `?` and `#` cannot end it early. `.` and `..` are refused outright: URL parsers
//! resolve them (and their percent-encoded spellings) as "here" and "the parent", so no
//! encoding keeps them a segment.

/// `id` as one path segment, or why it cannot be one.
pub fn segment(id: &str) -> Result<String, String> {
    if id.trim().is_empty() {
        return Err(format!("an id must not be empty or blank, got {id:?}"));
    }
    if id == "." || id == ".." {
        return Err(format!("{id:?} is not a usable id"));
    }
    let mut out = String::with_capacity(id.len());
    for b in id.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    Ok(out)
}

/// Whether the URL reqwest will request has exactly the path we built: nothing resolved
/// away, nothing added. The last guard, after `segment`, for paths built anywhere.
pub fn path_is_intact(url: &reqwest::Url, base_path: &str, path: &str) -> bool {
    let expected = format!("{}{path}", base_path.trim_end_matches('/'));
    url.path() == expected && !path.contains(['?', '#'])
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn ids_stay_one_segment() {
        assert_eq!(segment("a/b c").unwrap(), "a%2Fb%20c");
        assert_eq!(
            segment("x?organization_id=evil&y=").unwrap(),
            "x%3Forganization_id%3Devil%26y%3D"
        );
        assert_eq!(segment("x#frag").unwrap(), "x%23frag");
        assert_eq!(segment("...").unwrap(), "...");
        assert_eq!(segment("%2e%2e").unwrap(), "%252e%252e");
        assert_eq!(segment("é").unwrap(), "%C3%A9");
        for bad in ["", " ", "\t\n", ".", ".."] {
            assert!(segment(bad).is_err(), "{bad:?}");
        }
    }

    proptest! {
        /// Whatever the id, the URL keeps its path exactly, with the id as its last segment.
        #[test]
        fn any_id_is_one_segment(id in "\\PC{0,12}|[./%?#a-z]{0,6}") {
            let Ok(seg) = segment(&id) else {
                prop_assert!(id.trim().is_empty() || id == "." || id == "..");
                return Ok(());
            };
            let path = format!("/v1/database/query/{seg}/status/");
            let url = reqwest::Url::parse(&format!("https://h.example/base{path}")).unwrap();
            prop_assert!(path_is_intact(&url, "/base", &path), "{id:?} -> {}", url.path());
            let decoded: Vec<u8> = url.path_segments().unwrap().nth(4).map(|s| {
                percent_decode(s)
            }).unwrap();
            prop_assert_eq!(decoded, id.as_bytes().to_vec());
        }
    }

    fn percent_decode(s: &str) -> Vec<u8> {
        let b = s.as_bytes();
        let mut out = Vec::new();
        let mut i = 0;
        while i < b.len() {
            if b[i] == b'%' {
                out.push(u8::from_str_radix(&s[i + 1..i + 3], 16).unwrap());
                i += 3;
            } else {
                out.push(b[i]);
                i += 1;
            }
        }
        out
    }
}
