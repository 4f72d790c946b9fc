package onboard

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/program"
)

func TestOffboard_IsOnboardReversed(t *testing.T) {
	dir := fleetProject(t, fleetYAML)
	before := snapshot(t, dir)
	onboard(t, dir, "accounts.csv", "account,stack\n444444444444,workload-b\n555555555555,workload-c\n")

	res, err := Offboard(OffboardOptions{Dir: dir, Stacks: []string{"workload-b", "workload-c"}, Program: program.Program})
	require.NoError(t, err)
	var verbs []string
	for _, c := range res.Changes {
		verbs = append(verbs, c.Verb()+" "+c.Path)
	}
	assert.Equal(t, []string{"update .github/stacks.yaml", "update Pulumi.destination.yaml", "delete Pulumi.workload-b.yaml",
		"delete Pulumi.workload-c.yaml", "update fleet.yaml"}, verbs)
	require.NoError(t, res.Write(dir))
	assert.Equal(t, before, snapshot(t, dir), "onboarding then offboarding leaves every byte as it was")
	findings, err := Check(dir)
	require.NoError(t, err)
	for _, f := range findings {
		assert.False(t, f.Problem, f.String())
	}
}

func TestOffboard_HandWrittenStack(t *testing.T) {
	dir := testfixtureProject(t)
	res, err := Offboard(OffboardOptions{Dir: dir, Stacks: []string{"source"}, Program: program.Program})
	require.NoError(t, err)
	require.NoError(t, res.Write(dir))
	_, err = os.Stat(filepath.Join(dir, "Pulumi.source.yaml"))
	assert.True(t, os.IsNotExist(err))
	assert.NotContains(t, read(t, dir, ".github/stacks.yaml"), "  source:")
	dest := read(t, dir, "Pulumi.destination.yaml")
	assert.NotContains(t, dest, `"222222222222"`)
	assert.Contains(t, dest, `    - "333333333333"`)
	assert.Contains(t, dest, "  # Every source account that replicates into the archive.", "comments stay")
}

func TestOffboard_Refuses(t *testing.T) {
	for _, tc := range []struct {
		name, stack, want string
	}{
		{"the archive", "destination", "Pulumi.destination.yaml: is not a source stack. Fix: offboard source stacks only: the archive and its objects stay"},
		{"a stack that does not exist", "workload-z", "--stack workload-z: there is no Pulumi.workload-z.yaml"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir := testfixtureProject(t)
			before := snapshot(t, dir)
			_, err := Offboard(OffboardOptions{Dir: dir, Stacks: []string{tc.stack}, Program: program.Program})
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Equal(t, before, snapshot(t, dir))
		})
	}
}
