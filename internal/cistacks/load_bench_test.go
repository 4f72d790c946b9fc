package cistacks_test

import (
	"testing"

	"log-archive/internal/cistacks"
	"log-archive/internal/testfixture"
)

// Load over a fleet of 1,200 sources: every plan matrix, fleet rollout and fleet check starts with it.
func BenchmarkLoad1200(b *testing.B) {
	dir := b.TempDir()
	if err := testfixture.Copy(dir); err != nil {
		b.Fatal(err)
	}
	if err := testfixture.WriteFleet(dir, 1200, 10); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := cistacks.Load(dir); err != nil {
			b.Fatal(err)
		}
	}
}
