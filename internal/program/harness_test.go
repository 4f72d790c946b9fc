package program_test

import (
	"maps"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// The one helper every program test uses: run the real program under Pulumi's mock monitor with a stack
// configuration, answering StackReferences from refs.
func runStack(t testing.TB, stack string, cfg map[string]string, refs map[string]map[string]any) (*plan.Plan, error) {
	t.Helper()
	return plan.Run(plan.Stack{Project: "log-archive", Name: stack, Config: cfg}, program.Program, refs)
}

const (
	archiveAccount = "111111111111"
	sourceAccount  = "222222222222"
	destinationRef = "organization/log-archive/destination"
)

func destinationConfig() map[string]string {
	return map[string]string{
		"log-archive:stackKind":         "destination",
		"aws:region":                    "eu-west-1",
		"aws:allowedAccountIds":         `["111111111111"]`,
		"log-archive:archiveAccountId":  archiveAccount,
		"log-archive:archiveBucketName": "acme-log-archive",
		"log-archive:sourceAccountIds":  `["333333333333","222222222222"]`,
	}
}

func sourceConfig() map[string]string {
	return map[string]string{
		"log-archive:stackKind":        "source",
		"aws:region":                   "us-east-2",
		"aws:allowedAccountIds":        `["222222222222"]`,
		"log-archive:sourceAccountId":  sourceAccount,
		"log-archive:destinationStack": destinationRef,
		"log-archive:sourceBuckets": `[
			{"name": "trail-logs", "kmsKeyArns": ["arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"], "prefix": "AWSLogs/"},
			{"name": "flow-logs", "kmsKeyArns": ["arn:aws:kms:us-east-2:222222222222:key/bbbbbbbb-1111-2222-3333-444444444444"]}
		]`,
	}
}

// with returns a copy of cfg with key set to value, or removed when value is "".
func with(cfg map[string]string, kv ...string) map[string]string {
	out := maps.Clone(cfg)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == "" {
			delete(out, kv[i])
		} else {
			out[kv[i]] = kv[i+1]
		}
	}
	return out
}

// archiveOutputs plans the archive with cfg and returns its outputs, as a StackReference would see them.
func archiveOutputs(t testing.TB, cfg map[string]string) map[string]map[string]any {
	t.Helper()
	p, err := runStack(t, "destination", cfg, nil)
	require.NoError(t, err)
	return map[string]map[string]any{destinationRef: p.Outputs}
}

func mustStep(t testing.TB, p *plan.Plan, typ, name string) plan.Step {
	t.Helper()
	s, ok := p.Named(typ, name)
	require.True(t, ok, "no %s named %s in the plan", typ, name)
	return s
}

// policyInput parses the policy document the mock monitor received for a resource.
func policyInput(t testing.TB, s plan.Step, property string) policy.Document {
	t.Helper()
	raw, ok := s.NewState.Inputs[property].(string)
	require.True(t, ok, "%s has no %s input", s.URN, property)
	d, err := policy.Parse(raw)
	require.NoError(t, err)
	return d
}

func statementOf(t testing.TB, d policy.Document, sid string) policy.Statement {
	t.Helper()
	s, ok := d.StatementBySid(sid)
	require.True(t, ok, "statement %s missing", sid)
	return s
}

// input walks nested inputs: input(s, "rules", 0, "destination", "bucket").
func input(t testing.TB, s plan.Step, path ...any) any {
	t.Helper()
	var v any = s.NewState.Inputs
	for _, p := range path {
		switch k := p.(type) {
		case string:
			m, ok := v.(map[string]any)
			require.True(t, ok, "%v: not an object at %q", path, k)
			v = m[k]
		case int:
			l, ok := v.([]any)
			require.True(t, ok && k < len(l), "%v: not a list long enough at %d", path, k)
			v = l[k]
		}
	}
	return v
}

// repoRoot is the repository root, whose stack files are the user's: tests of them check only what holds
// for any valid configuration. Tests that need fixed values use testfixture.Project.
func repoRoot(testing.TB) string { return testfixture.Root() }

// requireRefused runs a stack that must be refused: its error names the stack file and holds every
// fragment of want, and nothing was registered. A source stack reads the default archive's outputs. It
// returns the error's text.
func requireRefused(t *testing.T, stack string, cfg map[string]string, want ...string) string {
	t.Helper()
	var refs map[string]map[string]any
	if stack != "destination" {
		refs = archiveOutputs(t, destinationConfig())
	}
	p, err := runStack(t, stack, cfg, refs)
	require.Error(t, err)
	for _, w := range want {
		assert.Contains(t, err.Error(), w)
	}
	assert.Contains(t, err.Error(), "Pulumi."+stack+".yaml: ")
	assert.Empty(t, p.Creates(), "nothing registered")
	return err.Error()
}
