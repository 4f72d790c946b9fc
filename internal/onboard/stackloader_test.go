package onboard

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
)

// Check reads Pulumi.yaml once for every stack file; when it does not load, every stack is reported with
// its error, as when each stack read it.
func TestCheck_UnreadablePulumiYAMLIsReportedForEveryStack(t *testing.T) {
	dir := testfixtureProject(t)
	write(t, dir, "Pulumi.yaml", "name: [not, a, name]\n")
	names, err := plan.StackNames(dir)
	require.NoError(t, err)
	findings, err := Check(dir)
	require.NoError(t, err)
	var problems int
	for _, f := range findings {
		if f.Problem {
			problems++
			assert.Contains(t, f.String(), "does not load as the Pulumi CLI loads it")
		}
	}
	assert.Equal(t, len(names), problems, "%v", findings)
}
