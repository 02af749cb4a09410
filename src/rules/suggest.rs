//! Did-you-mean: the closest candidate by edit distance, when it is close enough to be meant.

/// The single best candidate within a distance that scales with the word's length, or `None`
/// when nothing is close or two candidates tie (a guess would then be a coin flip).
pub fn closest<'c>(word: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let lower: Vec<char> = word.to_lowercase().chars().collect();
    let limit = (lower.len() / 3).clamp(1, 3);
    let mut best: Option<(usize, &str)> = None;
    let mut tie = false;
    for cand in candidates {
        if cand == word {
            continue;
        }
        let cand_lower: Vec<char> = cand.to_lowercase().chars().collect();
        let Some(d) = bounded_osa(&lower, &cand_lower, limit) else {
            continue;
        };
        match best {
            Some((bd, _)) if d > bd => {}
            Some((bd, b)) if d == bd => tie |= b != cand,
            _ => {
                best = Some((d, cand));
                tie = false;
            }
        }
    }
    best.filter(|_| !tie).map(|(_, c)| c)
}

/// Optimal string alignment distance (edits plus adjacent transpositions, so `dta` -> `data`
/// is one), or `None` once it must exceed `limit`. Did-you-mean runs on every annotation key of
/// every workload, so unrelated words are given up on after a few rows.
fn bounded_osa(a: &[char], b: &[char], limit: usize) -> Option<usize> {
    if a.len().abs_diff(b.len()) > limit || histogram_bound(a, b) > limit {
        return None;
    }
    let mut prev2: Vec<usize> = Vec::new();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for i in 1..=a.len() {
        let mut row = vec![i; b.len() + 1];
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (prev[j] + 1).min(row[j - 1] + 1).min(prev[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(prev2[j - 2] + 1);
            }
            row[j] = d;
        }
        if row.iter().min().is_some_and(|m| *m > limit) {
            return None;
        }
        prev2 = std::mem::replace(&mut prev, row);
    }
    prev.last().copied().filter(|d| *d <= limit)
}

/// A lower bound of the OSA distance from character counts: an insertion or deletion changes
/// the counts by one, a substitution by two, a transposition not at all. Cheap, and it rules out
/// most unrelated words before the quadratic DP.
fn histogram_bound(a: &[char], b: &[char]) -> usize {
    let mut counts = [0i32; 128];
    let mut other = 0usize;
    for c in a {
        match counts.get_mut(*c as usize) {
            Some(n) => *n += 1,
            None => other += 1,
        }
    }
    for c in b {
        match counts.get_mut(*c as usize) {
            Some(n) => *n -= 1,
            None => other += 1,
        }
    }
    let l1: usize = counts.iter().map(|n| n.unsigned_abs() as usize).sum();
    // Non-ASCII characters are not counted exactly: assume they all match.
    l1.div_ceil(2).saturating_sub(other)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_close_unique_candidates_only() {
        assert_eq!(
            closest("storageLocaton", ["storageLocation", "ttl"]),
            Some("storageLocation")
        );
        assert_eq!(closest("dta", ["data", "scratch"]), Some("data"));
        assert_eq!(closest("zzz", ["data"]), None);
        assert_eq!(closest("dat", ["data", "date"]), None);
        assert_eq!(closest("comand", ["command", "container"]), Some("command"));
    }

    #[test]
    fn bounded_osa_matches_the_full_distance_within_the_limit() {
        let chars = |s: &str| s.chars().collect::<Vec<_>>();
        for (a, b) in [
            ("dta", "data"),
            ("kitten", "sitting"),
            ("abcdef", "abdcef"),
            ("", "ab"),
            ("same", "same"),
        ] {
            let full = strsim::osa_distance(a, b);
            assert_eq!(
                bounded_osa(&chars(a), &chars(b), 3),
                (full <= 3).then_some(full),
                "{a} {b}"
            );
        }
        assert_eq!(
            bounded_osa(
                &chars("pre.hook.backup.velero.io/command"),
                &chars("backup.velero.io/backup-volumes"),
                3
            ),
            None
        );
    }
}
