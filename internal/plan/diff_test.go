package plan_test

import (
	"encoding/json"
	"fmt"
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
	md := plan.ReviewMarkdown(plan.DiffStacks(stacksWith(t, nil), stacksWith(t, nil)))
	assert.True(t, strings.HasPrefix(md, plan.CommentMarker))
	assert.Contains(t, md, "\nNo changes: every stack plans the same on the base and the head.\n")
	assert.NotContains(t, md, "```diff")
}

func TestDiff_AddedSourceAccount(t *testing.T) {
	head := stacksWith(t, func(cfg map[string]string) {
		cfg["log-archive:sourceAccountIds"] = `["222222222222","333333333333","444444444444"]`
	})
	diffs := plan.DiffStacks(stacksWith(t, nil), head)
	md := plan.ReviewMarkdown(diffs)
	assert.Contains(t, md, "#### `destination`: 2 to update, outputs change")
	assert.Contains(t, md, "| ~ | `archive-policy` | `aws:s3/bucketPolicy:BucketPolicy` | policy |")
	assert.Contains(t, md, "| ~ | `archive-key` | `aws:kms/key:Key` | policy |")
	assert.Contains(t, md, "archive-policy: S3 bucket policy, 688 → 703 of 20480 bytes")
	assert.Contains(t, md, "@@ statement \"AllowReplicationFromSourceAccounts\" @@")
	assert.Contains(t, md, "\n+            \"444444444444\"\n")
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
	md := plan.ReviewMarkdown(plan.DiffStacks(base, head))
	assert.Contains(t, md, "#### `destination`: 1 to update")
	assert.Contains(t, md, "\n-        \"s3:ReplicateTags\",\n")
	assert.NotContains(t, md, "archive-key:", "the key policy did not change")
}

func TestDiff_NewStackAndReplicationRules(t *testing.T) {
	base := stacksWith(t, nil)
	delete(base.Stacks, "source")
	md := plan.ReviewMarkdown(plan.DiffStacks(base, stacksWith(t, nil)))
	assert.Contains(t, md, "#### `source`: new stack, 23 to create, outputs change")
	assert.Contains(t, md, "source-acme-workload-a-logs-eu-west-1-replication: replication rules")
	assert.Contains(t, md, `+        "replicaKmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/`)
	assert.Contains(t, md, "source-role-policy: IAM role inline policy, 0 → ")
	assert.Contains(t, md, "source-acme-workload-a-logs-eu-west-1-policy: S3 bucket policy, 0 → ", "a created log bucket's policy is shown to reviewers")
}

// The tests below build plans by hand, so they hold whatever the stack files say.

const (
	bucketType = "aws:s3/bucketV2:BucketV2"
	policyType = "aws:s3/bucketPolicy:BucketPolicy"
)

type stepOpt func(*plan.Step)

func protect(s *plan.Step) { s.NewState.Protect = true }
func retain(s *plan.Step)  { s.NewState.RetainOnDelete = true }

func step(name, typ string, inputs map[string]any, opts ...stepOpt) plan.Step {
	s := plan.Step{Op: "create", URN: "urn:pulumi:destination::log-archive::" + typ + "::" + name,
		NewState: plan.State{Type: typ, Custom: true, Inputs: inputs}}
	for _, o := range opts {
		o(&s)
	}
	return s
}

func oneStack(steps ...plan.Step) plan.Stacks {
	return plan.Stacks{Stacks: map[string]*plan.Plan{"destination": {Steps: steps, Outputs: map[string]any{}}}}
}

func TestDiff_MarksReplacements(t *testing.T) {
	tests := []struct {
		name, typ      string
		base, head     map[string]any
		wantOp         string
		wantReplacedBy []string
	}{
		{"bucket renamed", bucketType, map[string]any{"bucket": "a", "tags": map[string]any{"k": "v"}}, map[string]any{"bucket": "b", "tags": map[string]any{"k": "v"}}, "replace", []string{"bucket"}},
		{"bucket tags", bucketType, map[string]any{"bucket": "a", "tags": map[string]any{"k": "v"}}, map[string]any{"bucket": "a", "tags": map[string]any{"k": "w"}}, "update", nil},
		{"key usage", "aws:kms/key:Key", map[string]any{"keyUsage": "ENCRYPT_DECRYPT"}, map[string]any{"keyUsage": "SIGN_VERIFY"}, "replace", []string{"keyUsage"}},
		{"key policy", "aws:kms/key:Key", map[string]any{"policy": `{"Statement":[]}`}, map[string]any{"policy": `{"Statement":[{"Sid":"A"}]}`}, "update", nil},
		{"alias renamed", "aws:kms/alias:Alias", map[string]any{"name": "alias/a"}, map[string]any{"name": "alias/b"}, "replace", []string{"name"}},
		{"alias retargeted", "aws:kms/alias:Alias", map[string]any{"targetKeyId": "k1"}, map[string]any{"targetKeyId": "k2"}, "update", nil},
		{"role path", "aws:iam/role:Role", map[string]any{"path": "/a/", "description": "x"}, map[string]any{"path": "/b/", "description": "y"}, "replace", []string{"path"}},
		{"role description", "aws:iam/role:Role", map[string]any{"description": "x"}, map[string]any{"description": "y"}, "update", nil},
		{"role policy moved", "aws:iam/rolePolicy:RolePolicy", map[string]any{"role": "r1"}, map[string]any{"role": "r2"}, "replace", []string{"role"}},
		{"object lock on another bucket", "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2", map[string]any{"bucket": "a"}, map[string]any{"bucket": "b"}, "replace", []string{"bucket"}},
		{"replication rules", "aws:s3/bucketReplicationConfig:BucketReplicationConfig", map[string]any{"rules": []any{}}, map[string]any{"rules": []any{map[string]any{"id": "r"}}}, "update", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			diffs := plan.DiffStacks(oneStack(step("r", tt.typ, tt.base)), oneStack(step("r", tt.typ, tt.head)))
			require.Len(t, diffs, 1)
			require.Len(t, diffs[0].Changes, 1)
			c := diffs[0].Changes[0]
			assert.Equal(t, tt.wantOp, c.Op)
			assert.Equal(t, tt.wantReplacedBy, c.ReplacedBy)
			md := plan.ReviewMarkdown(diffs)
			if tt.wantOp == "replace" {
				assert.Contains(t, md, "1 to replace")
				assert.Contains(t, md, "| +- | `r` |")
				assert.Contains(t, md, "**"+tt.wantReplacedBy[0]+" (forces replacement)**")
			} else {
				assert.Contains(t, md, "1 to update")
			}
		})
	}
}

func TestDiff_FlagsProtectedAndRetainedFirst(t *testing.T) {
	renamed := map[string]any{"bucket": "new-name"}
	tests := []struct {
		name string
		base plan.Step
		head *plan.Step // nil: deleted
		want string     // "" when nothing is flagged
	}{
		{"protected replaced", step("archive-bucket", bucketType, map[string]any{"bucket": "old"}, protect, retain), ptr(step("archive-bucket", bucketType, renamed, protect, retain)),
			"#### ⚠️ `destination`: `archive-bucket` (`" + bucketType + "`) is `protect`ed, and this change replaces it (`bucket` changes): `pulumi up` will refuse and fail."},
		{"protected deleted", step("archive-bucket", bucketType, map[string]any{"bucket": "old"}, protect), nil,
			"#### ⚠️ `destination`: `archive-bucket` (`" + bucketType + "`) is `protect`ed, and this change deletes it: `pulumi up` will refuse and fail."},
		{"protect dropped in the same change still refuses", step("archive-bucket", bucketType, map[string]any{"bucket": "old"}, protect), ptr(step("archive-bucket", bucketType, renamed)),
			"is `protect`ed, and this change replaces it (`bucket` changes)"},
		{"retained replaced", step("log-bucket", bucketType, map[string]any{"bucket": "old"}, retain), ptr(step("log-bucket", bucketType, renamed, retain)),
			"#### ⚠️ `destination`: `log-bucket` (`" + bucketType + "`) is `retainOnDelete`, and this change replaces it (`bucket` changes): `pulumi up` will create a new one and leave the old one in AWS"},
		{"retained deleted", step("log-bucket", bucketType, map[string]any{"bucket": "old"}, retain), nil,
			"#### ⚠️ `destination`: `log-bucket` (`" + bucketType + "`) is `retainOnDelete`, and this change deletes it: `pulumi up` will leave it in AWS and forget it"},
		{"protected but only updated", step("archive-bucket", bucketType, map[string]any{"bucket": "b", "tags": map[string]any{}}, protect), ptr(step("archive-bucket", bucketType, map[string]any{"bucket": "b", "tags": map[string]any{"k": "v"}}, protect)), ""},
		{"plain replacement", step("other", bucketType, map[string]any{"bucket": "old"}), ptr(step("other", bucketType, renamed)), ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// An unrelated change listed before the flagged one: the flag must still come first.
			unrelated := step("aaa-policy", policyType, map[string]any{"policy": `{"Statement":[{"Sid":"A"}]}`})
			changed := unrelated
			changed.NewState.Inputs = map[string]any{"policy": `{"Statement":[{"Sid":"B"}]}`}
			head := oneStack(changed)
			if tt.head != nil {
				head = oneStack(changed, *tt.head)
			}
			md := plan.ReviewMarkdown(plan.DiffStacks(oneStack(unrelated, tt.base), head))
			if tt.want == "" {
				assert.NotContains(t, md, "⚠️")
				return
			}
			assert.Contains(t, md, tt.want)
			assert.Less(t, strings.Index(md, "⚠️"), strings.Index(md, "#### `destination`"), "the flag comes before any detail of the stack")
			assert.Contains(t, md, "| ⚠️ ", "the table row is marked too")
		})
	}
}

func ptr[T any](v T) *T { return &v }

func TestDiff_EveryPolicyHunkNamesItsStatement(t *testing.T) {
	resources := func(changed string) []any {
		var r []any
		for i := range 20 {
			r = append(r, fmt.Sprintf("arn:aws:s3:::bucket-%02d/*", i))
		}
		r[15] = changed
		return r
	}
	doc := func(deep, short string) string {
		b, _ := json.Marshal(map[string]any{"Version": "2012-10-17", "Statement": []any{
			map[string]any{"Sid": "LongStatement", "Effect": "Allow", "Action": "s3:GetObject", "Resource": resources(deep)},
			map[string]any{"Sid": "ShortStatement", "Effect": "Deny", "Action": short, "Resource": "*"},
			map[string]any{"Effect": "Allow", "Action": "s3:ListBucket", "Resource": "*"},
		}})
		return string(b)
	}
	tests := []struct {
		name        string
		base, head  string
		wantHeaders []string
		notHeaders  []string
	}{
		{"change far below the Sid", doc("x", "s3:*"), doc("y", "s3:*"), []string{"@@ statement \"LongStatement\" @@\n"}, []string{"ShortStatement"}},
		{"two statements", doc("x", "s3:*"), doc("y", "s3:Delete*"), []string{"@@ statement \"LongStatement\" @@\n", "@@ statement \"ShortStatement\" @@\n"}, nil},
		{"statement without Sid", doc("x", "s3:*"), strings.Replace(doc("x", "s3:*"), "s3:ListBucket", "s3:ListAllMyBuckets", 1), []string{"@@ statement 3 (no Sid) @@\n"}, []string{"LongStatement"}},
		{"statement added", `{"Statement":[]}`, `{"Statement":[{"Sid":"New"}]}`, []string{"@@ statement \"New\" (added) @@\n+    {\n+      \"Sid\": \"New\"\n+    }\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := plan.ReviewMarkdown(plan.DiffStacks(
				oneStack(step("p", policyType, map[string]any{"policy": tt.base})),
				oneStack(step("p", policyType, map[string]any{"policy": tt.head}))))
			for _, h := range tt.wantHeaders {
				assert.Contains(t, md, h)
			}
			for _, h := range tt.notHeaders {
				assert.NotContains(t, md, h)
			}
			for _, line := range strings.Split(md, "\n") {
				if strings.HasPrefix(line, "@@") {
					assert.Regexp(t, `^@@ statement .+ @@$`, line)
				}
			}
		})
	}
}

func TestDiff_ChangedLastLineIsNotGluedToTheNext(t *testing.T) {
	md := plan.ReviewMarkdown(plan.DiffStacks(
		oneStack(step("b", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", map[string]any{"blockPublicAcls": true, "bucket": "old"})),
		oneStack(step("b", "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock", map[string]any{"blockPublicAcls": true, "bucket": "new"}))))
	assert.Contains(t, md, "@@ bucket @@\n-  \"bucket\": \"old\"\n+  \"bucket\": \"new\"\n```")
	assert.NotContains(t, md, `"old"+`)
}

func TestHeadFailedMarkdown(t *testing.T) {
	tests := []struct {
		name, err      string
		renderedByBase bool
		want           []string
		notWant        []string
	}{
		{"config error", "stack destination: the stack configuration has 1 problem\n", false,
			[]string{"**The head does not build or plan.**", "```\nstack destination: the stack configuration has 1 problem\n```\n"},
			[]string{"written by the base"}},
		{"rendered by the base's code", "cmd/plan/main.go:3:1: syntax error", true,
			[]string{"```\ncmd/plan/main.go:3:1: syntax error\n```\n", "This comment was written by the base's `plan diff`"}, nil},
		{"backticks in the error", "unknown field `regoin`; fences: ```x``` and ````y", true,
			[]string{"`````\nunknown field `regoin`; fences: ```x``` and ````y\n`````\n"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			md := plan.HeadFailedMarkdown(tt.err, tt.renderedByBase)
			assert.True(t, strings.HasPrefix(md, plan.CommentMarker+"\n"))
			for _, w := range tt.want {
				assert.Contains(t, md, w)
			}
			for _, w := range tt.notWant {
				assert.NotContains(t, md, w)
			}
		})
	}
	long := plan.HeadFailedMarkdown(strings.Repeat("x", 50000), true)
	assert.Less(t, len(long), 21000)
	assert.Contains(t, long, "cut here")
}

func TestDiff_RemovedStackFileDeletesNothing(t *testing.T) {
	base := oneStack(step("archive-bucket", bucketType, map[string]any{"bucket": "a"}, protect))
	md := plan.ReviewMarkdown(plan.DiffStacks(base, plan.Stacks{Stacks: map[string]*plan.Plan{}}))
	assert.Contains(t, md, "#### `destination`: stack file removed\n\nThe deploy workflow stops updating this stack. Nothing is deleted")
	assert.NotContains(t, md, "⚠️")
	assert.NotContains(t, md, "| - |")
}
