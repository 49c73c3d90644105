//! "Did you mean" suggestions for misspelled names.

/// The candidate closest to `name`, if one is close enough to be a likely typo: the
/// same name in another case, or within a small edit distance.
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let lower = name.to_ascii_lowercase();
    let limit = (name.len() / 3).max(1);
    candidates
        .into_iter()
        .filter(|c| *c != name)
        .map(|c| {
            let c_lower = c.to_ascii_lowercase();
            let snake = c_lower.replace('_', "");
            let distance = if c_lower == lower || snake == lower.replace('_', "") {
                0
            } else {
                edit_distance(&lower, &c_lower)
            };
            (distance, c)
        })
        .filter(|(distance, _)| *distance <= limit)
        .min_by_key(|(distance, _)| *distance)
        .map(|(_, c)| c)
}

/// Edit distance over chars, counting a swap of two neighbours as one edit
/// (`GTE` is one edit from `GET`): the optimal string alignment distance.
fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let mut d = vec![vec![0usize; b.len() + 1]; a.len() + 1];
    for (i, row) in d.iter_mut().enumerate() {
        row[0] = i;
    }
    for (j, cell) in d[0].iter_mut().enumerate() {
        *cell = j;
    }
    for i in 1..=a.len() {
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            d[i][j] = (d[i - 1][j] + 1)
                .min(d[i][j - 1] + 1)
                .min(d[i - 1][j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d[i][j] = d[i][j].min(d[i - 2][j - 2] + 1);
            }
        }
    }
    d[a.len()][b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_case_and_typo_neighbours() {
        assert_eq!(closest("userid", ["userId", "orgId"]), Some("userId"));
        assert_eq!(closest("user_id", ["userId"]), Some("userId"));
        assert_eq!(closest("usrId", ["userId", "orgId"]), Some("userId"));
        assert_eq!(closest("quey", ["query", "headers", "body"]), Some("query"));
        assert_eq!(closest("page", ["userId"]), None);
    }

    #[test]
    fn edit_distance_counts_edits() {
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", "abc"), 0);
        assert_eq!(edit_distance("gte", "get"), 1);
    }
}
