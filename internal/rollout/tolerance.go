package rollout

import (
	"fmt"
	"strconv"
	"strings"
)

// Tolerance is how many failed stacks a rollout accepts before it stops starting new ones: a count, or a
// percentage of the rollout's stacks, rounded down, as CloudFormation StackSets' FailureToleranceCount
// and FailureTolerancePercentage (SS1).
type Tolerance struct {
	Count   int
	Percent int
	// IsPercent says Percent applies, not Count.
	IsPercent bool
}

// ParseTolerance reads "N" or "N%".
func ParseTolerance(s string) (Tolerance, error) {
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 100 {
			return Tolerance{}, fmt.Errorf("failure tolerance %q: give a count (0, 1, ...) or a percentage from 0%% to 100%%", s)
		}
		return Tolerance{Percent: n, IsPercent: true}, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 {
		return Tolerance{}, fmt.Errorf("failure tolerance %q: give a count (0, 1, ...) or a percentage from 0%% to 100%%", s)
	}
	return Tolerance{Count: n}, nil
}

// Limit is the number of failures tolerated in a rollout of total stacks.
func (t Tolerance) Limit(total int) int {
	if t.IsPercent {
		return total * t.Percent / 100
	}
	return t.Count
}

func (t Tolerance) String() string {
	if t.IsPercent {
		return fmt.Sprintf("%d%%", t.Percent)
	}
	return strconv.Itoa(t.Count)
}
