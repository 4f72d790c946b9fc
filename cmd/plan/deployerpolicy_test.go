package main

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/testfixture"
)

// plan deployer-policy succeeds for every fixture stack file, the 100-bucket source among them.
func TestRun_DeployerPolicyJSON(t *testing.T) {
	dir := testfixture.ProjectWithExtras(t)
	stacks, err := plan.StackNames(dir)
	require.NoError(t, err)
	require.Contains(t, stacks, "source-large")
	for _, stack := range stacks {
		var out, errOut bytes.Buffer
		require.Equal(t, 0, run([]string{"deployer-policy", "--dir", dir, "--stack", stack, "--json"}, &out, &errOut), errOut.String())
		var doc struct {
			Stack    string `json:"stack"`
			Limit    int    `json:"limit"`
			Policies []struct {
				Name     string `json:"name"`
				Size     int    `json:"size"`
				Document struct {
					Version   string           `json:"Version"`
					Statement []map[string]any `json:"Statement"`
				} `json:"document"`
			} `json:"policies"`
			Withheld []map[string]any `json:"deletesNotGranted"`
		}
		require.NoError(t, json.Unmarshal(out.Bytes(), &doc), stack)
		assert.Equal(t, stack, doc.Stack)
		require.NotEmpty(t, doc.Policies, stack)
		for _, p := range doc.Policies {
			assert.Equal(t, "2012-10-17", p.Document.Version)
			assert.NotEmpty(t, p.Document.Statement)
			assert.LessOrEqual(t, p.Size, doc.Limit)
		}
		if stack == "source-large" {
			// Only existing buckets: their retained versioning withholds nothing (its delete is its put).
			assert.Greater(t, len(doc.Policies), 1, "100 buckets need more than one managed policy")
			assert.LessOrEqual(t, len(doc.Policies), 10, "IAM attaches at most 10 managed policies to a role by default")
		} else {
			assert.NotEmpty(t, doc.Withheld, "%s: the fixture protects or retains resources", stack)
		}
	}
}

func TestRun_DeployerPolicyBoundary(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"deployer-policy", "--dir", root, "--stack", "source", "--boundary", "--json"}, &out, &errOut), errOut.String())
	var b struct {
		Name, Path, Arn string
		Document        struct{ Statement []map[string]any }
	}
	require.NoError(t, json.Unmarshal(out.Bytes(), &b))
	assert.Equal(t, "log-archive-role-boundary", b.Name)
	assert.Equal(t, "/log-archive/", b.Path)
	assert.Equal(t, "arn:aws:iam::222222222222:policy/log-archive/log-archive-role-boundary", b.Arn)
	assert.NotEmpty(t, b.Document.Statement)

	out.Reset()
	require.Equal(t, 0, run([]string{"deployer-policy", "--dir", root, "--stack", "source", "--boundary"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "aws iam create-policy --path /log-archive/ --policy-name log-archive-role-boundary")

	out.Reset()
	require.Equal(t, 0, run([]string{"deployer-policy", "--dir", root, "--stack", "source"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "arn:aws:iam::222222222222:policy/log-archive/log-archive-role-boundary", "the policy says which boundary it requires")
}

func TestRun_DeployerPolicyText(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"deployer-policy", "--dir", root, "--stack", "destination"}, &out, &errOut), errOut.String())
	assert.Contains(t, out.String(), "# Deployer policy for stack destination")
	assert.Contains(t, out.String(), "Delete permissions NOT granted")
	assert.Contains(t, out.String(), `"Sid": "S3Bucket"`)
}

func TestRun_DeployerPolicyUsage(t *testing.T) {
	var out, errOut bytes.Buffer
	require.Equal(t, 0, run([]string{"deployer-policy", "--help"}, &out, &errOut))
	for _, w := range []string{"plan deployer-policy --stack NAME", "-stack NAME", "-dir DIR", "\n  -json\n", "pulumi destroy"} {
		assert.Contains(t, out.String(), w)
	}
	out.Reset()
	require.Equal(t, 0, run([]string{"--help"}, &out, &errOut))
	assert.Contains(t, out.String(), "plan deployer-policy")

	for _, args := range [][]string{{}, {"--json"}, {"--stack", "a", "extra"}, {"--bogus"}} {
		var out, errOut bytes.Buffer
		assert.Equal(t, 2, run(append([]string{"deployer-policy", "--dir", root}, args...), &out, &errOut), "%v", args)
		assert.Empty(t, out.String(), "%v", args)
	}
	errOut.Reset()
	assert.Equal(t, 2, run([]string{"deployer-policy", "--dir", root, "--stack", "nope"}, &out, &errOut))
	assert.Contains(t, errOut.String(), `no stack "nope"`)
}
