// Package suggest finds the name a misspelt one most likely meant, for "did you mean" hints.
package suggest

import "strings"

// EditDistance is the Levenshtein distance between a and b.
func EditDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// Near says whether a and b are at most maxEdits apart, ignoring case.
func Near(a, b string, maxEdits int) bool {
	return EditDistance(strings.ToLower(a), strings.ToLower(b)) <= maxEdits
}

// Nearest is the candidate closest to got, ignoring case, if it is at most maxEdits away; of candidates
// equally close, the first. "" when none is close enough.
func Nearest(got string, candidates []string, maxEdits int) string {
	best, bestDistance := "", maxEdits+1
	for _, c := range candidates {
		if c == "" {
			continue
		}
		if d := EditDistance(strings.ToLower(got), strings.ToLower(c)); d < bestDistance {
			best, bestDistance = c, d
		}
	}
	return best
}
