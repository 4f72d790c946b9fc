package onboard

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/cistacks"
	"log-archive/internal/plan"
	"log-archive/internal/program"
	"log-archive/internal/stackconfig"
)

// fleetCSV is an account list of n accounts in two Regions; every third sends GuardDuty findings too.
func fleetCSV(n int) string {
	var b strings.Builder
	b.WriteString("account,stack,region,services,guardDutyDetectorId,wave\n")
	for i := range n {
		region, services, detector, wave := "", "", "", ""
		if i%2 == 1 {
			region = "eu-central-1"
		}
		if i%3 == 0 {
			services, detector = "guardduty cloudtrail vpc-flow-logs", fmt.Sprintf("%032x", i+1)
		}
		if i < 5 {
			wave = WaveCanary
		}
		fmt.Fprintf(&b, "%012d,workload-%04d,%s,%s,%s,%s\n", 400000000000+i, i, region, services, detector, wave)
	}
	return b.String()
}

// The scale: 300 accounts from a CSV in a temporary copy. The stack files pass the Pulumi CLI's
// config validation and the offline plan of every stack, .github/stacks.yaml the matrix check, the whole
// the list check; onboarding the same file again changes no byte.
func TestOnboard_300AccountsFromCSV(t *testing.T) {
	if testing.Short() {
		t.Skip("plans 300 stacks twice")
	}
	dir := fleetProject(t, fleetYAML)
	list := fleetCSV(300)
	res := onboard(t, dir, "accounts.csv", list)
	assert.Equal(t, "300 created, 3 updated", res.Summary())
	assert.Equal(t, 301, res.Planned, "every new stack and the archive were planned before writing")

	stacks, err := cistacks.Load(dir) // loads every stack file as the Pulumi CLI does
	require.NoError(t, err, "the matrix check")
	assert.Len(t, stacks, 302)
	canaries := 0
	for _, s := range stacks {
		if s.Wave == WaveCanary {
			canaries++
		}
	}
	assert.Equal(t, 5, canaries)

	findings, err := Check(dir)
	require.NoError(t, err)
	for _, f := range findings {
		assert.False(t, f.Problem, "the list check: %s", f)
	}
	planEveryStack(t, dir)

	before := snapshot(t, dir)
	res = onboard(t, dir, "accounts.csv", list)
	assert.Empty(t, res.Changes)
	assert.Equal(t, before, snapshot(t, dir), "onboarding the same file again changes no byte")
}

// planEveryStack runs the offline plan of every stack of dir, as `go run ./cmd/plan --stack` does (each
// source stack's StackReference answered by the archive's plan), in parallel.
func planEveryStack(t *testing.T, dir string) {
	t.Helper()
	names, err := plan.StackNames(dir)
	require.NoError(t, err)
	archive, err := plan.PlanStack(dir, "destination", program.Program)
	require.NoError(t, err)
	refs := map[string]map[string]any{"organization/log-archive/destination": archive.Outputs}
	failed := make([]string, len(names))
	parallel(len(names), func(i int) {
		st, err := plan.LoadStack(dir, names[i])
		if err == nil && st.Config[stackconfig.KeyStackKind] == string(stackconfig.KindSource) {
			_, err = plan.Run(st, program.Program, refs)
		}
		if err != nil {
			failed[i] = names[i] + ": " + err.Error()
		}
	})
	failed = slices.DeleteFunc(failed, func(s string) bool { return s == "" })
	assert.Empty(t, failed)
}

// A change of fleet.yaml reaches every generated file, and only those.
func TestOnboard_RegeneratesEveryFileAfterAFleetChange(t *testing.T) {
	dir := fleetProject(t, fleetYAML)
	onboard(t, dir, "accounts.csv", fleetCSV(20))
	replace(t, dir, FleetFile, "log-archive:replicaStorageClass: STANDARD_IA", "log-archive:replicaStorageClass: GLACIER_IR")
	res := onboard(t, dir, "", "")
	assert.Equal(t, "20 updated", res.Summary())
	for i := range 20 {
		st, err := plan.LoadStack(dir, fmt.Sprintf("workload-%04d", i))
		require.NoError(t, err)
		assert.Equal(t, "GLACIER_IR", st.Config[stackconfig.KeyReplicaStorageClass])
	}
}

// BenchmarkOnboard1200 onboards 1,200 accounts from a CSV into a fresh copy: rendering, the plan of every
// new stack, the matrix check, and writing. It reports the files written per run.
func BenchmarkOnboard1200(b *testing.B) {
	list := fleetCSV(1200)
	in, err := ReadAccounts("accounts.csv", []byte(list))
	require.NoError(b, err)
	for b.Loop() {
		b.StopTimer()
		dir := fleetProject(b, fleetYAML)
		b.StartTimer()
		res, err := Onboard(Options{Dir: dir, Input: in, Program: program.Program})
		require.NoError(b, err)
		require.NoError(b, res.Write(dir))
		b.ReportMetric(float64(len(res.Changes)), "files/op")
		b.StopTimer()
		names, err := plan.StackNames(dir)
		require.NoError(b, err)
		require.Len(b, names, 1202)
		b.StartTimer()
	}
}
