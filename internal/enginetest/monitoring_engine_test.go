//go:build engine

package enginetest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/auto"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	typeSink       = "aws:oam/sink:Sink"
	typeSinkPolicy = "aws:oam/sinkPolicy:SinkPolicy"
	typeLink       = "aws:oam/link:Link"
	typeDashboard  = "aws:cloudwatch/dashboard:Dashboard"
)

// A second source account (333333333333, listed by the fixture archive) with one existing bucket in
// eu-central-1: its failures are published there, its latency and pending in the archive's eu-west-1 (M5).
const sourceB = `config:
  log-archive:stackKind: source
  aws:region: eu-west-1
  aws:allowedAccountIds: ["333333333333"]
  log-archive:sourceAccountId: "333333333333"
  log-archive:destinationStack: organization/log-archive/destination
  log-archive:sourceBuckets:
    - name: acme-workload-b-app-logs
      region: eu-central-1
      kmsKeyArns:
        - arn:aws:kms:eu-central-1:333333333333:key/7a7b8c9d-0e1f-4a2b-9c3d-4e5f6a7b8c9d
`

// Through the real CLI and engine: an archive and two sources deployed without the fleet view;
// turning it on only creates (sinks in the archive's two Regions, a link per source Region to the sink of
// that Region); turning it off (sources first) only deletes; and afterwards the fake AWS holds exactly
// what it held before, every input and output the same.
func TestEngine_FleetMonitoringOnThenOffChangesNothingElse(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	require.NoError(t, os.WriteFile(filepath.Join(env.WorkDir, "Pulumi.source-b.yaml"), []byte(sourceB), 0o644))
	stacks := []auto.Stack{env.Stack(ctx, "destination"), env.Stack(ctx, "source"), env.Stack(ctx, "source-b")}
	for _, s := range stacks {
		env.Up(ctx, s)
	}
	before := env.Records()

	monitoring := map[string]string{
		"Pulumi.destination.yaml": "  log-archive:monitoring: {enabled: true, regions: [eu-central-1]}\n",
		"Pulumi.source.yaml":      "  log-archive:monitoring: {enabled: true}\n",
		"Pulumi.source-b.yaml":    "  log-archive:monitoring: {enabled: true}\n",
	}
	for file, line := range monitoring {
		// Right under config:, since the CLI appends encryptionsalt at the top level of the file.
		env.Edit(file, func(s string) string { return strings.Replace(s, "config:\n", "config:\n"+line, 1) })
	}
	for _, s := range stacks {
		up := env.Up(ctx, s)
		assertOnly(t, up, "create", s.Name()+": monitoring on")
	}
	recs := env.Records()
	sinks := OfType(recs, typeSink)
	require.Len(t, sinks, 2, "one sink per Region of the archive's fleet view; records: %v", Keys(recs))
	sinkArn := map[string]string{}
	for _, r := range sinks {
		assert.Equal(t, "111111111111", r.Account)
		assert.Equal(t, "log-archive-fleet", r.Inputs["name"])
		sinkArn[r.Region] = r.Outputs["arn"].(string)
	}
	assert.ElementsMatch(t, []string{"eu-west-1", "eu-central-1"}, slices.Collect(mapKeys(sinkArn)))
	assert.Len(t, OfType(recs, typeSinkPolicy), 2)
	assert.Len(t, OfType(recs, typeDashboard), 2)
	links := map[string][]string{} // account -> Regions linked
	for _, r := range OfType(recs, typeLink) {
		assert.Equal(t, sinkArn[r.Region], r.Inputs["sinkIdentifier"], "%s links to the sink of its Region", r.Key())
		assert.Equal(t, []any{"AWS::CloudWatch::Metric"}, r.Inputs["resourceTypes"])
		links[r.Account] = append(links[r.Account], r.Region)
	}
	assert.Equal(t, []string{"eu-west-1"}, links["222222222222"], "source: buckets and archive in eu-west-1")
	assert.ElementsMatch(t, []string{"eu-west-1", "eu-central-1"}, links["333333333333"], "source-b: its bucket's Region and the archive's")

	// A mistaken destroy of the archive is refused and deletes nothing, the fleet view included.
	beforeDestroy := OfStack(env.Records(), "destination")
	_, err := env.Destroy(ctx, stacks[0])
	require.Error(t, err, "pulumi destroy --stack destination must refuse")
	assert.Equal(t, Keys(beforeDestroy), Keys(OfStack(env.Records(), "destination")), "a refused destroy deleted nothing in the archive account")

	// Off: the sources first (their links name the archive's sinks), then the archive, whose fleet view
	// is protected: docs/fleet-health.md has the operator unprotect the stack and run up, which deletes the
	// fleet view and protects every archive resource again.
	for _, s := range []auto.Stack{stacks[1], stacks[2], stacks[0]} {
		file := "Pulumi." + s.Name() + ".yaml"
		env.Edit(file, func(s string) string { return strings.Replace(s, monitoring[file], "", 1) })
		if s.Name() == "destination" {
			_, err := env.TryUp(ctx, s)
			require.Error(t, err, "the protected fleet view is not deleted without unprotect")
			assert.Contains(t, err.Error(), "protect")
			env.Unprotect(ctx, s)
		}
		up := env.Up(ctx, s)
		assertOnly(t, up, "delete", s.Name()+": monitoring off")
	}
	_, err = env.Destroy(ctx, stacks[0])
	require.Error(t, err, "after the up, the archive is protected again")
	assert.Contains(t, err.Error(), "protect")
	// Names repeat across accounts (each source has its role and topic): a record is its type, ID,
	// account and Region.
	where := func(recs []Record) map[string]Record {
		out := map[string]Record{}
		for _, r := range recs {
			out[r.Key()+" in "+r.Account+"/"+r.Region] = r
		}
		return out
	}
	was, is := where(before), where(env.Records())
	assert.ElementsMatch(t, slices.Collect(mapKeys(was)), slices.Collect(mapKeys(is)), "the same resources as before the fleet view")
	for k, b := range was {
		if a, ok := is[k]; assert.True(t, ok, k) {
			assert.Equal(t, b.Inputs, a.Inputs, k)
			assert.Equal(t, b.Outputs, a.Outputs, k)
		}
	}
}

// assertOnly checks that an update did nothing but op (and left the rest the same).
func assertOnly(t *testing.T, up auto.UpResult, op, what string) {
	t.Helper()
	require.NotNil(t, up.Summary.ResourceChanges, what)
	for kind, n := range *up.Summary.ResourceChanges {
		if kind != op && kind != "same" && kind != "read" { // read: the StackReference
			assert.Zero(t, n, "%s: %d %s: %v", what, n, kind, *up.Summary.ResourceChanges)
		}
	}
	assert.Positive(t, (*up.Summary.ResourceChanges)[op], "%s: %v", what, *up.Summary.ResourceChanges)
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}
