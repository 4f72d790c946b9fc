package suggest

import "testing"

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		want int
	}{
		{"", "", 0}, {"abc", "", 3}, {"", "abc", 3}, {"region", "regoin", 2}, {"kitten", "sitting", 3},
		{"lifecycle", "lifecyle", 1}, {"same", "same", 0},
	} {
		if got := EditDistance(c.a, c.b); got != c.want {
			t.Errorf("EditDistance(%q, %q) = %d, want %d", c.a, c.b, got, c.want)
		}
	}
}

func TestNear(t *testing.T) {
	if !Near("Log-Archive", "log-archive", 0) {
		t.Error("Near ignores case")
	}
	if Near("logarchive", "log-archive", 0) || !Near("logarchive", "log-archive", 1) {
		t.Error("Near counts edits")
	}
}

func TestNearest(t *testing.T) {
	known := []string{"account", "stack", "region", "services"}
	for _, c := range []struct{ got, want string }{
		{"regoin", "region"}, {"REGION", "region"}, {"stacks", "stack"}, {"zzzzzzzz", ""}, {"", ""},
	} {
		if got := Nearest(c.got, known, 3); got != c.want {
			t.Errorf("Nearest(%q) = %q, want %q", c.got, got, c.want)
		}
	}
	// Equally close: the first candidate wins.
	if got := Nearest("ab", []string{"ac", "ad"}, 3); got != "ac" {
		t.Errorf("a tie goes to the first candidate, got %q", got)
	}
	// An empty candidate is never suggested.
	if got := Nearest("a", []string{"", "b"}, 3); got != "b" {
		t.Errorf("got %q, want b", got)
	}
}
