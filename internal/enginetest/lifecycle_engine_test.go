//go:build engine

package enginetest

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/common/apitype"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/plan"
	"log-archive/internal/program"
	"log-archive/internal/stackconfig"
)

// The repository's own stack files, whatever the user made of them, pass the CLI's config validation and
// deploy: every archive stack comes up, then every source stack previews against it through a real
// StackReference. Under the CLI the program is given exactly the configuration the offline plan uses
// (Pulumi.yaml's defaults merged in), so the plan a reviewer reads is the plan `pulumi up` runs.
func TestEngine_TheRepositorysStackFilesDeploy(t *testing.T) {
	ctx := t.Context()
	env := NewEnvFromRepository(t)
	names, err := plan.StackNames(env.WorkDir)
	require.NoError(t, err)
	var destinations, sources []string
	for _, name := range names {
		st, err := plan.LoadStack(env.WorkDir, name)
		require.NoError(t, err)
		if st.Config[stackconfig.KeyStackKind] == string(stackconfig.KindDestination) {
			destinations = append(destinations, name)
		} else {
			sources = append(sources, name)
		}
	}
	require.NotEmpty(t, destinations)
	for _, group := range [][]string{destinations, sources} {
		for _, name := range group {
			offline, err := plan.LoadStack(env.WorkDir, name)
			require.NoError(t, err)
			var seen map[string]string
			s := env.StackWith(ctx, name, func(ctx *pulumi.Context) error {
				seen = map[string]string{}
				for key := range offline.Config {
					seen[key], _ = ctx.GetConfig(key)
				}
				return program.Run(ctx)
			})
			if slices_contains(destinations, name) {
				env.Up(ctx, s)
			} else {
				env.Preview(ctx, s)
			}
			assert.Equal(t, offline.Config, seen, "%s: the program under the CLI sees the offline plan's configuration", name)
		}
	}
}

func slices_contains(list []string, v string) bool {
	for _, x := range list {
		if x == v {
			return true
		}
	}
	return false
}

// What the CLI refuses before the program starts, the offline plan refuses too (plan.LoadStack), so a
// pull request never shows a plan for a stack `pulumi up` will not run.
func TestEngine_TheCLIAndTheOfflinePlanRefuseTheSameStackFiles(t *testing.T) {
	ctx := t.Context()
	for _, tc := range []struct {
		name, edit, cliSays string
	}{
		{"no stack kind", "", "missing configuration value"},
		{"a list written as text", "  log-archive:sourceAccountIds: \"333333333333\"\n", "must be of type 'array<string>'"},
		{"a boolean written as a word", "  log-archive:acceptCloudTrail: \"yes\"\n", "must be of type 'boolean'"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := NewEnv(t)
			env.Edit("Pulumi.destination.yaml", func(s string) string {
				s = strings.Replace(s, "  log-archive:stackKind: destination\n", "", 1)
				s = regexp.MustCompile(`(?m)^  log-archive:sourceAccountIds:\n(    - .*\n)*`).ReplaceAllString(s, "")
				if tc.edit != "" {
					s += "  log-archive:stackKind: destination\n" + tc.edit
				}
				return s
			})
			_, err := env.TryPreview(ctx, env.Stack(ctx, "destination"))
			require.Error(t, err, "the CLI refuses the stack")
			assert.Contains(t, err.Error(), tc.cliSays)
			assert.Empty(t, env.Records(), "nothing was created")
			_, offline := plan.LoadStack(env.WorkDir, "destination")
			require.Error(t, offline, "the offline plan refuses it too")
			assert.Contains(t, offline.Error(), "Pulumi.destination.yaml: ")
		})
	}
}

// A change previews as what it is: adding a source account updates the two archive policies in place
// and nothing else; dropping the lifecycle option updates the protected lifecycle configuration instead of
// deleting it; dropping Object Lock, which can never be turned off, is refused and changes nothing.
func TestEngine_ArchiveChangesPreviewAndApplyAsDocumented(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	dst := env.Stack(ctx, "destination")
	env.Up(ctx, dst)

	env.Edit("Pulumi.destination.yaml", func(s string) string {
		return strings.Replace(s, `    - "333333333333"`+"\n", `    - "333333333333"`+"\n"+`    - "444444444444"`+"\n", 1)
	})
	preview := env.Preview(ctx, dst)
	assert.Equal(t, 2, preview.ChangeSummary["update"], "the key policy and the bucket policy: %v", preview.ChangeSummary)
	for _, op := range []apitype.OpType{"create", "delete", "replace", "create-replacement", "delete-replaced"} {
		assert.Zero(t, preview.ChangeSummary[op], "%s: %v", op, preview.ChangeSummary)
	}
	env.Up(ctx, dst)

	lifecycle := func() *Record {
		return Find(env.Records(), "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2", "acme-log-archive-eu-west-1,111111111111")
	}
	require.NotNil(t, lifecycle(), "records: %v", Keys(env.Records()))
	env.Edit("Pulumi.destination.yaml", func(s string) string {
		return regexp.MustCompile(`(?m)^  log-archive:lifecycle:\n(    .*\n)*`).ReplaceAllString(s, "")
	})
	preview = env.Preview(ctx, dst)
	assert.Equal(t, map[apitype.OpType]int{"update": 1, "same": preview.ChangeSummary["same"]}, preview.ChangeSummary)
	env.Up(ctx, dst)
	assert.NotContains(t, lifecycleJSON(t, lifecycle()), "noncurrent-versions", "the noncurrent-version rule is gone")
	assert.Contains(t, lifecycleJSON(t, lifecycle()), "housekeeping")

	before := Keys(env.Records())
	env.Edit("Pulumi.destination.yaml", func(s string) string {
		return regexp.MustCompile(`(?m)^  log-archive:objectLock:\n(    .*\n)*`).ReplaceAllString(s, "")
	})
	_, err := env.TryUp(ctx, dst)
	require.Error(t, err, "Object Lock cannot be turned off (H3)")
	assert.Contains(t, err.Error(), "protect")
	assert.Equal(t, before, Keys(env.Records()), "the refused update deleted nothing")

	// Renaming the key alias or the bucket replaces a protected resource: refused, nothing changes (the
	// docs/deploying.md, "Changes that cannot be made in place").
	// Object Lock back as it is in AWS, so the only change below is the rename.
	env.Edit("Pulumi.destination.yaml", func(s string) string {
		return strings.Replace(s, "config:\n", "config:\n  log-archive:objectLock:\n    mode: GOVERNANCE\n    days: 365\n", 1)
	})
	env.Up(ctx, dst)
	for _, edit := range []struct{ name, from, to, refusal string }{
		{"key alias", "config:\n", "config:\n  log-archive:keyAlias: alias/audit-archive\n", "protect"},
		{"bucket name", "log-archive:archiveBucketName: acme-log-archive-eu-west-1", "log-archive:archiveBucketName: acme-log-archive-renamed",
			"S3 cannot rename a bucket"},
	} {
		saved := readFile(t, filepath.Join(env.WorkDir, "Pulumi.destination.yaml"))
		before := recordsJSON(OfStack(env.Records(), "destination"))
		env.Edit("Pulumi.destination.yaml", func(s string) string { return strings.Replace(s, edit.from, edit.to, 1) })
		_, err := env.TryUp(ctx, dst)
		require.Error(t, err, "renaming the %s is refused", edit.name)
		assert.Contains(t, err.Error(), edit.refusal, edit.name)
		assert.Equal(t, before, recordsJSON(OfStack(env.Records(), "destination")), "renaming the %s changed nothing", edit.name)
		require.NoError(t, os.WriteFile(filepath.Join(env.WorkDir, "Pulumi.destination.yaml"), []byte(saved), 0o644))
	}
}

func lifecycleJSON(t *testing.T, r *Record) string {
	t.Helper()
	require.NotNil(t, r)
	return mustJSON(t, r.Inputs)
}

// Changing the replication role's path in the archive: the source stack stops before anything changes,
// saying how to migrate, instead of replacing the role (EntityAlreadyExists, or a window without a role).
func TestEngine_RoleIdentityChangeIsRefusedBySources(t *testing.T) {
	ctx := t.Context()
	env := NewEnv(t)
	dst := env.Stack(ctx, "destination")
	env.Up(ctx, dst)
	src := env.Stack(ctx, "source")
	env.Up(ctx, src)
	before := OfStack(env.Records(), "source")

	env.Edit("Pulumi.destination.yaml", func(s string) string {
		return strings.Replace(s, "config:\n", "config:\n  log-archive:replicationRolePath: /audit/\n", 1)
	})
	env.Up(ctx, dst)
	for _, op := range []string{"preview", "up"} {
		var err error
		if op == "preview" {
			_, err = env.TryPreview(ctx, src)
		} else {
			_, err = env.TryUp(ctx, src)
		}
		require.Error(t, err, "pulumi %s --stack source", op)
		assert.Contains(t, err.Error(), "arn:aws:iam::222222222222:role/log-archive/log-archive-replication")
		assert.Contains(t, err.Error(), "the archive now pins arn:aws:iam::222222222222:role/audit/log-archive-replication")
		assert.Contains(t, err.Error(), "IAM cannot rename a role or change its path")
	}
	assert.Equal(t, recordsJSON(before), recordsJSON(OfStack(env.Records(), "source")), "no source resource changed")
}

func recordsJSON(recs []Record) []string {
	out := make([]string, len(recs))
	for i, r := range recs {
		b, _ := json.Marshal(r.Inputs)
		out[i] = r.Key() + " " + string(b)
	}
	return out
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// Offboarding keeps each log bucket, key and alias in AWS (retainOnDelete) but drops them from the state.
// Onboarding the account again fails on them, unless the stack adopts them (adoptKeyArn): then every
// one is imported, nothing is created or touched, and the next update has nothing to do.
func TestEngine_ReonboardingAdoptsTheLogBuckets(t *testing.T) {
	ctx := t.Context()
	offboarded := func(t *testing.T) (*Env, string, []Record) {
		env := NewEnv(t)
		env.Up(ctx, env.Stack(ctx, "destination"))
		src := env.Stack(ctx, "source")
		up := env.Up(ctx, src)
		logBuckets := up.Outputs["logBuckets"].Value.(map[string]any)
		require.Len(t, logBuckets, 1)
		var keyArn string
		for _, b := range logBuckets {
			keyArn = b.(map[string]any)["keyArn"].(string)
		}
		_, err := env.Destroy(ctx, src)
		require.NoError(t, err)
		env.RemoveStack(ctx, src)
		kept := OfStack(env.Records(), "source")
		require.NotEmpty(t, kept, "the log bucket and its key stayed in AWS")
		return env, keyArn, kept
	}

	t.Run("without adoptKeyArn the new stack fails on what exists", func(t *testing.T) {
		env, _, _ := offboarded(t)
		_, err := env.TryUp(ctx, env.Stack(ctx, "source"))
		require.Error(t, err)
		assert.Regexp(t, `BucketAlreadyOwnedByYou|AlreadyExists`, err.Error())
	})

	t.Run("with adoptKeyArn every log bucket resource is imported", func(t *testing.T) {
		env, keyArn, kept := offboarded(t)
		env.Edit("Pulumi.source.yaml", func(s string) string {
			return strings.Replace(s, "      trailNames: [workload-a-management-events]\n",
				"      trailNames: [workload-a-management-events]\n      adoptKeyArn: "+keyArn+"\n", 1)
		})
		src := env.Stack(ctx, "source")
		up := env.Up(ctx, src)
		var logBucketParts int // the kept versioning of an existing bucket is simply enabled again, a PUT
		for _, r := range kept {
			if strings.Contains(r.URN, "SourceLogBucket") {
				logBucketParts++
			}
		}
		require.Equal(t, 8, logBucketParts, "key, alias, bucket, ownership, public access block, versioning, encryption, policy")
		require.NotNil(t, up.Summary.ResourceChanges)
		assert.Equal(t, logBucketParts, (*up.Summary.ResourceChanges)["import"], "every kept log bucket resource imported: %v", *up.Summary.ResourceChanges)
		for _, b := range up.Outputs["logBuckets"].Value.(map[string]any) {
			assert.Equal(t, keyArn, b.(map[string]any)["keyArn"], "the adopted key, not a new one")
		}
		var keys int
		for _, r := range env.Records() {
			if r.Type == typeKey && r.Account == "222222222222" {
				keys++
			}
		}
		assert.Equal(t, 1, keys, "no second key was created")
		for _, r := range kept {
			now := Find(env.Records(), r.Type, r.ID)
			require.NotNil(t, now, "%s still exists", r.Key())
			assert.Equal(t, r.Inputs, now.Inputs, "%s untouched", r.Key())
		}
		again := env.Preview(ctx, src)
		assert.Equal(t, map[apitype.OpType]int{"same": again.ChangeSummary["same"]}, again.ChangeSummary, "adopted: nothing left to do")
	})
}
