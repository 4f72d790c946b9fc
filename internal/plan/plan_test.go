package plan_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

// fixture is a project with the fixed stack files of testdata/stacks (see testfixture): the tests in this
// package assert exact values, which the repository's own stack files, the user's, do not promise.
var fixture string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "plan-fixture-")
	if err == nil {
		err = testfixture.Copy(dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fixture = dir
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// repoRoot is the fixture project.
func repoRoot() string { return fixture }

func planJSON(t *testing.T, stack string) []byte {
	t.Helper()
	p, err := plan.PlanStack(repoRoot(), stack, program.Program)
	require.NoError(t, err)
	b, err := json.Marshal(p)
	require.NoError(t, err)
	return b
}

func TestPlanStack_IsDeterministic(t *testing.T) {
	for _, stack := range []string{"destination", "source"} {
		first := planJSON(t, stack)
		for range 3 {
			assert.Equal(t, string(first), string(planJSON(t, stack)), "the SDK registers concurrently; the plan must not show it")
		}
	}
}

// The JSON is shaped like `pulumi preview --json`, which review tooling reads.
func TestPlan_JSONShape(t *testing.T) {
	var doc struct {
		Steps []struct {
			Op       string `json:"op"`
			URN      string `json:"urn"`
			NewState struct {
				Type           string         `json:"type"`
				Inputs         map[string]any `json:"inputs"`
				Parent         string         `json:"parent"`
				Protect        *bool          `json:"protect"`
				RetainOnDelete *bool          `json:"retainOnDelete"`
				Dependencies   []string       `json:"dependencies"`
			} `json:"newState"`
		} `json:"steps"`
		Outputs map[string]any `json:"outputs"`
	}
	require.NoError(t, json.Unmarshal(planJSON(t, "destination"), &doc))
	require.NotEmpty(t, doc.Steps)
	urn := regexp.MustCompile(`^urn:pulumi:destination::log-archive::`)
	for _, s := range doc.Steps {
		assert.Equal(t, "create", s.Op)
		assert.Regexp(t, urn, s.URN)
		assert.NotEmpty(t, s.NewState.Type)
		assert.NotNil(t, s.NewState.Inputs)
		assert.NotNil(t, s.NewState.Protect)
		assert.NotNil(t, s.NewState.RetainOnDelete)
		assert.NotNil(t, s.NewState.Dependencies)
		assert.NotEmpty(t, s.NewState.Parent)
	}
	assert.Equal(t, "arn:aws:s3:::acme-log-archive-eu-west-1", doc.Outputs["archiveBucketArn"])
}

func TestPlan_TextShowsResourcesOptionsAndPolicySizes(t *testing.T) {
	p, err := plan.PlanStack(repoRoot(), "destination", program.Program)
	require.NoError(t, err)
	var out bytes.Buffer
	require.NoError(t, p.WriteText(&out, "destination"))
	text := out.String()
	assert.Contains(t, text, "what `pulumi up --stack destination` would do")
	assert.Regexp(t, `\+ aws:kms/key:Key archive-key  \[protect, retainOnDelete\]`, text)
	assert.Regexp(t, `policy: KMS key policy, \d+ of 32768 bytes`, text)
	assert.Regexp(t, `policy: S3 bucket policy, \d+ of 20480 bytes`, text)
	assert.Contains(t, text, `"Sid": "DenyInsecureTransport"`, "policies are pretty-printed")
	assert.Regexp(t, `archive-policy\s+S3 bucket policy\s+\d+ of  20480 bytes`, text)
	assert.Contains(t, text, "dependsOn: archive-bucket, archive-ownership, archive-public-access-block")
	assert.Contains(t, text, `archiveKeyArn: "arn:aws:kms:eu-west-1:111111111111:key/`)

	src, err := plan.PlanStack(repoRoot(), "source", program.Program)
	require.NoError(t, err)
	out.Reset()
	require.NoError(t, src.WriteText(&out, "source"))
	assert.Regexp(t, `policy: IAM role inline policy, \d+ of 10240 bytes`, out.String())
	assert.Contains(t, out.String(), "<= pulumi:pulumi:StackReference organization/log-archive/destination")
	assert.Contains(t, out.String(), `"replicaKmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/`)
}

func TestPlanStack_SourceWhoseArchiveFileIsMissing(t *testing.T) {
	dir := t.TempDir()
	for _, f := range []string{"Pulumi.yaml", "Pulumi.source.yaml"} {
		b, err := os.ReadFile(filepath.Join(repoRoot(), f))
		require.NoError(t, err)
		require.NoError(t, os.WriteFile(filepath.Join(dir, f), b, 0o600))
	}
	p, err := plan.PlanStack(dir, "source", program.Program)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "run `pulumi up --stack destination` first")
	assert.Empty(t, p.Creates())
}

func TestLoadStack_MissingFileIsNamed(t *testing.T) {
	_, err := plan.LoadStack(repoRoot(), "nope")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Pulumi.nope.yaml")
}

func TestStackNames(t *testing.T) {
	names, err := plan.StackNames(repoRoot())
	require.NoError(t, err)
	assert.Contains(t, names, "destination")
	assert.Contains(t, names, "source")
}
