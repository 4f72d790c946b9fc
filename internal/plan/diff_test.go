package plan_test

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/program"
)

// stacksWith plans the repository's example stacks, with edits applied to the destination's config.
func stacksWith(t *testing.T, edit func(cfg map[string]string)) plan.Stacks {
	t.Helper()
	dest, err := plan.LoadStack(repoRoot(), "destination")
	require.NoError(t, err)
	dest.Config = maps.Clone(dest.Config)
	if edit != nil {
		edit(dest.Config)
	}
	d, err := plan.Run(dest, program.Program, nil)
	require.NoError(t, err)
	src, err := plan.LoadStack(repoRoot(), "source")
	require.NoError(t, err)
	s, err := plan.Run(src, program.Program, map[string]map[string]any{src.Config["log-archive:destinationStack"]: d.Outputs})
	require.NoError(t, err)
	// Round-trip through JSON, as the workflow hands the files to the diff.
	b, err := json.Marshal(plan.Stacks{Stacks: map[string]*plan.Plan{"destination": d, "source": s}})
	require.NoError(t, err)
	out, err := plan.ReadStacks(b)
	require.NoError(t, err)
	return out
}

func TestDiff_IdenticalPlansSayNoChangesInOneLine(t *testing.T) {
	md := plan.ReviewMarkdown(plan.DiffStacks(stacksWith(t, nil), stacksWith(t, nil)), "")
	assert.True(t, strings.HasPrefix(md, plan.CommentMarker))
	assert.Contains(t, md, "\nNo changes: every stack plans the same on the base and the head.\n")
	assert.NotContains(t, md, "```diff")
}

func TestDiff_AddedSourceAccount(t *testing.T) {
	head := stacksWith(t, func(cfg map[string]string) {
		cfg["log-archive:sourceAccountIds"] = `["222222222222","333333333333","444444444444"]`
	})
	diffs := plan.DiffStacks(stacksWith(t, nil), head)
	md := plan.ReviewMarkdown(diffs, "")
	assert.Contains(t, md, "#### `destination`: 2 to update, outputs change")
	assert.Contains(t, md, "| ~ | `archive-policy` | `aws:s3/bucketPolicy:BucketPolicy` | policy |")
	assert.Contains(t, md, "| ~ | `archive-key` | `aws:kms/key:Key` | policy |")
	assert.Contains(t, md, "archive-policy: S3 bucket policy, 688 → 721 of 20480 bytes")
	assert.Contains(t, md, "\n+          \"arn:aws:iam::444444444444:root\"\n")
	assert.Contains(t, md, "\n+    \"444444444444\"\n", "the contract output changes too")
	assert.Contains(t, md, "#### `source`: no changes")
}

func TestDiff_ChangedPolicyAction(t *testing.T) {
	base, head := stacksWith(t, nil), stacksWith(t, nil)
	for i, s := range head.Stacks["destination"].Steps {
		if s.Name() == "archive-policy" {
			doc := s.NewState.Inputs["policy"].(string)
			head.Stacks["destination"].Steps[i].NewState.Inputs["policy"] = strings.Replace(doc, `"s3:ReplicateTags",`, "", 1)
		}
	}
	md := plan.ReviewMarkdown(plan.DiffStacks(base, head), "")
	assert.Contains(t, md, "#### `destination`: 1 to update")
	assert.Contains(t, md, "\n-        \"s3:ReplicateTags\",\n")
	assert.NotContains(t, md, "archive-key:", "the key policy did not change")
}

func TestDiff_RemovedResourceAndOptions(t *testing.T) {
	head := stacksWith(t, func(cfg map[string]string) { delete(cfg, "log-archive:lifecycle") })
	for i, s := range head.Stacks["destination"].Steps {
		if s.Name() == "archive-bucket" {
			head.Stacks["destination"].Steps[i].NewState.Protect = false
		}
	}
	md := plan.ReviewMarkdown(plan.DiffStacks(stacksWith(t, nil), head), "")
	assert.Contains(t, md, "| - | `archive-lifecycle` | `aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2` |")
	assert.Contains(t, md, "| ~ | `archive-bucket` | `aws:s3/bucketV2:BucketV2` | protect true → false |", "losing protect is shown to reviewers")
	assert.Contains(t, md, "1 to update, 1 to delete")
}

func TestDiff_NewStackAndReplicationRules(t *testing.T) {
	base := stacksWith(t, nil)
	delete(base.Stacks, "source")
	md := plan.ReviewMarkdown(plan.DiffStacks(base, stacksWith(t, nil)), "")
	assert.Contains(t, md, "#### `source`: new stack, 15 to create, outputs change")
	assert.Contains(t, md, "source-acme-workload-a-logs-eu-west-1-replication: replication rules")
	assert.Contains(t, md, `+        "replicaKmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/`)
	assert.Contains(t, md, "source-role-policy: IAM role inline policy, 0 → ")
	assert.Contains(t, md, "source-acme-workload-a-logs-eu-west-1-policy: S3 bucket policy, 0 → ", "a created log bucket's policy is shown to reviewers")
}

func TestDiff_HeadThatDoesNotPlan(t *testing.T) {
	md := plan.ReviewMarkdown(nil, "stack destination: the stack configuration has 1 problem\n")
	assert.Contains(t, md, "**The head does not plan.**")
	assert.Contains(t, md, "```\nstack destination: the stack configuration has 1 problem\n```")
}
