package contract_test

import (
	"maps"
	"os"
	"path/filepath"
	"testing"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/contract"
	"log-archive/internal/plan"
)

const keyArn = "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"

func archive() contract.ArchiveOutputs {
	return contract.ArchiveOutputs{
		ContractVersion: contract.Version, AccountID: "111111111111", Region: "eu-west-1",
		BucketName: "acme-log-archive", BucketArn: "arn:aws:s3:::acme-log-archive", KeyArn: keyArn, KeyAlias: "alias/log-archive",
		ObjectLockEnabled: true, ReplicationRoleName: "log-archive-replication", ReplicationRolePath: "/log-archive/",
		ReplicationRoleArnPattern: "arn:aws:iam::*:role/log-archive/log-archive-replication",
		SourceAccountIDs:          []string{"222222222222"}, SourceOrganizationID: "o-a1b2c3d4e5",
		SourceOrganizationPaths: []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"},
		MonitoringSinkArns:      map[string]string{"eu-west-1": "arn:aws:oam:eu-west-1:111111111111:sink/aaaaaaaa-1111-4222-a333-444444444444"},
	}
}

func source() contract.SourceOutputs {
	return contract.SourceOutputs{
		ReplicationRoleArn: "arn:aws:iam::222222222222:role/log-archive/log-archive-replication",
		BackfillRoleArn:    "arn:aws:iam::222222222222:role/log-archive/source-backfill-1a2b3c4",
		ReplicatedBuckets:  []string{"trail-logs", "flow-logs"},
		BucketRegions:      map[string]string{"trail-logs": "us-east-2", "flow-logs": "eu-central-1"},
		AlarmTopicArns:     map[string]string{"us-east-2": "arn:aws:sns:us-east-2:222222222222:log-archive-replication-alarms"},
		ArchiveBucketName:  "acme-log-archive", ArchiveKeyArn: keyArn,
		LogBuckets: map[string]contract.LogBucketOutputs{"trail-logs": {BucketArn: "arn:aws:s3:::trail-logs",
			KeyArn: "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444", KeyAlias: "alias/log-archive/trail-logs"}},
		MonitoringLinkArns: map[string]string{"us-east-2": "arn:aws:oam:us-east-2:222222222222:link/bbbbbbbb-1111-4222-a333-444444444444"},
	}
}

// published runs a program that exports outputs under the mock monitor and returns them as a reader sees
// them (JSON values).
func published(t *testing.T, program func(*pulumi.Context) pulumi.Map) map[string]any {
	t.Helper()
	p, err := plan.Run(plan.Stack{Name: "s"}, func(ctx *pulumi.Context) (pulumi.Map, error) { return program(ctx), nil }, nil)
	require.NoError(t, err)
	return p.Outputs
}

// What a stack publishes, plain or computed by the deployment, a reader parses back to the same values.
func TestPublishThenParse(t *testing.T) {
	want := archive()
	values := published(t, func(*pulumi.Context) pulumi.Map {
		o := want
		o.KeyArn = ""
		return contract.Publish(&o, contract.Computed(&o.KeyArn, pulumi.String(keyArn).ToStringOutput()))
	})
	assert.Equal(t, 1.0, values["contractVersion"], "a JSON number, as a StackReference sees it")
	got, err := contract.ParseArchive(values)
	require.NoError(t, err)
	assert.Equal(t, want, got)

	wantSource := source()
	values = published(t, func(*pulumi.Context) pulumi.Map {
		o := wantSource
		o.LogBuckets = nil
		lb := wantSource.LogBuckets["trail-logs"]
		return contract.Publish(&o, contract.Computed(&o.LogBuckets, pulumi.Map{"trail-logs": contract.LogBucket(
			pulumi.String(lb.BucketArn).ToStringOutput(), pulumi.String(lb.KeyArn), pulumi.String(lb.KeyAlias))}))
	})
	gotSource, err := contract.ParseSource(values)
	require.NoError(t, err)
	assert.Equal(t, wantSource, gotSource)
}

// Lists and maps a stack has none of are published empty, never null: a reader sees [] and {}.
func TestPublish_EmptyListsAndMaps(t *testing.T) {
	values := published(t, func(*pulumi.Context) pulumi.Map {
		o := archive()
		o.SourceAccountIDs, o.SourceOrganizationPaths = nil, nil
		return contract.Publish(&o)
	})
	assert.Equal(t, []any{}, values["sourceAccountIds"])
	assert.Equal(t, []any{}, values["sourceOrganizationPaths"])
	values = published(t, func(*pulumi.Context) pulumi.Map {
		o := source()
		o.AlarmTopicArns, o.LogBuckets = nil, nil
		return contract.Publish(&o)
	})
	assert.Equal(t, map[string]any{}, values["alarmTopicArns"])
	assert.Equal(t, map[string]any{}, values["logBuckets"])
}

func TestPublish_RefusesAComputedValueOutsideTheOutputs(t *testing.T) {
	o, elsewhere := archive(), archive()
	assert.Panics(t, func() { contract.Publish(&o, contract.Computed(&elsewhere.KeyArn, pulumi.String(keyArn))) })
}

// The published names are the contract with every deployed stack: renaming one breaks sources of an
// older archive, so the names and which are required are pinned here.
func TestFields_TheNamesArePinned(t *testing.T) {
	required := func(fields []contract.Field) (req, opt []string) {
		for _, f := range fields {
			if f.Required {
				req = append(req, f.Name)
			} else {
				opt = append(opt, f.Name)
			}
			assert.NotEmpty(t, f.Example, "%s has an example for docs/contract.md", f.Name)
		}
		return req, opt
	}
	req, opt := required(contract.Fields[contract.ArchiveOutputs]())
	assert.Equal(t, []string{"contractVersion", "archiveAccountId", "archiveRegion", "archiveBucketName", "archiveBucketArn",
		"archiveKeyArn", "archiveObjectLockEnabled", "replicationRoleName", "replicationRolePath", "sourceAccountIds"}, req)
	assert.Equal(t, []string{"archiveKeyAlias", "replicationRoleArnPattern", "sourceOrganizationId", "sourceOrganizationPaths", "monitoringSinkArns"}, opt)
	req, opt = required(contract.Fields[contract.SourceOutputs]())
	assert.Equal(t, []string{"replicationRoleArn", "replicatedBuckets", "archiveBucketName", "archiveKeyArn"}, req)
	assert.Equal(t, []string{"backfillRoleArn", "bucketRegions", "alarmTopicArns", "logBuckets", "monitoringLinkArns"}, opt)

	var s contract.SourceOutputs
	assert.Equal(t, "bucketRegions", contract.NameOf(&s, &s.BucketRegions))
	assert.Panics(t, func() { contract.NameOf(&s, new(string)) })
}

// mutated is values with each name of kv set to the value after it, or deleted when that is nil.
func mutated(values map[string]any, kv ...any) map[string]any {
	values = maps.Clone(values)
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(values, kv[i].(string))
		} else {
			values[kv[i].(string)] = kv[i+1]
		}
	}
	return values
}

func archiveValues(t *testing.T, kv ...any) map[string]any {
	t.Helper()
	a := archive()
	return mutated(published(t, func(*pulumi.Context) pulumi.Map { return contract.Publish(&a) }), kv...)
}

// Every malformed archive output is refused, all problems at once, each naming its output.
func TestParseArchive_Refuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   []string
		check  func(*testing.T, *contract.Error)
	}{
		{"no outputs at all", map[string]any{}, []string{"the archive stack's outputs list no contractVersion"},
			func(t *testing.T, e *contract.Error) { assert.True(t, e.None); assert.Len(t, e.Missing, 10) }},
		{"one output missing", archiveValues(t, "archiveKeyArn", nil), []string{"the archive stack's outputs list no archiveKeyArn"},
			func(t *testing.T, e *contract.Error) {
				assert.False(t, e.None)
				assert.Equal(t, []string{"archiveKeyArn"}, e.Missing)
			}},
		{"optional outputs missing", archiveValues(t, "sourceOrganizationId", nil, "sourceOrganizationPaths", nil, "archiveKeyAlias", nil), nil, nil},
		{"unknown version", archiveValues(t, "contractVersion", 2.0, "archiveKeyArn", nil),
			[]string{"the archive publishes contract version 2; this program reads version 1"},
			func(t *testing.T, e *contract.Error) { assert.Empty(t, e.Missing, "nothing else is read") }},
		{"wrong types", archiveValues(t, "sourceAccountIds", "222222222222", "archiveObjectLockEnabled", "yes"),
			[]string{"the archive stack's output sourceAccountIds is a string, not a list", "output archiveObjectLockEnabled is a string, not true or false"}, nil},
		{"malformed account and role path", archiveValues(t, "archiveAccountId", "1111", "replicationRolePath", "log-archive"),
			[]string{"output archiveAccountId: ", "output replicationRolePath: "}, nil},
		{"key alias (R4.9)", archiveValues(t, "archiveKeyArn", "arn:aws:kms:eu-west-1:111111111111:alias/log-archive"),
			[]string{"output archiveKeyArn must be the full ARN of a key in the archive account and Region (R4.9)"}, nil},
		{"key in another account", archiveValues(t, "archiveKeyArn", "arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
			[]string{"belongs to account 999999999999, not 111111111111"}, nil},
		{"bucket ARN of another bucket", archiveValues(t, "archiveBucketArn", "arn:aws:s3:::other-bucket"),
			[]string{`output archiveBucketArn is "arn:aws:s3:::other-bucket", but the bucket acme-log-archive has the ARN arn:aws:s3:::acme-log-archive`}, nil},
		{"malformed organization", archiveValues(t, "sourceOrganizationId", "org-1"), []string{"output sourceOrganizationId is malformed"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := contract.ParseArchive(tc.values)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			var bad *contract.Error
			require.ErrorAs(t, err, &bad)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
			if tc.check != nil {
				tc.check(t, bad)
			}
		})
	}
}

func TestParseSource_Refuses(t *testing.T) {
	s := source()
	published := published(t, func(*pulumi.Context) pulumi.Map { return contract.Publish(&s) })
	good := func(kv ...any) map[string]any { return mutated(published, kv...) }
	for _, tc := range []struct {
		name   string
		values map[string]any
		want   []string
	}{
		{"an archive's outputs", archiveValues(t), []string{"the source stack's outputs list no replicationRoleArn", "list no replicatedBuckets"}},
		{"no bucket", good("replicatedBuckets", []any{}), []string{"the source stack's outputs list no replicatedBuckets"}},
		{"outputs older than the optional ones", good("backfillRoleArn", nil, "bucketRegions", nil, "alarmTopicArns", nil, "logBuckets", nil), nil},
		{"backfill role not a role ARN", good("backfillRoleArn", "log-archive-batch"), []string{"the source stack's output backfillRoleArn is log-archive-batch, not an IAM role ARN"}},
		{"bucket Region that does not exist", good("bucketRegions", map[string]any{"trail-logs": "Frankfurt"}), []string{"the source stack's output bucketRegions[trail-logs]: "}},
		{"bucket Regions not a map", good("bucketRegions", []any{"us-east-2"}), []string{"output bucketRegions is a list, not a map of bucket names to Regions"}},
		{"log bucket field of the wrong type", good("logBuckets", map[string]any{"trail-logs": map[string]any{"keyArn": 7.0}}), []string{"output logBuckets has a field keyArn that is a number, not a string"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := contract.ParseSource(tc.values)
			if tc.want == nil {
				require.NoError(t, err)
				return
			}
			require.Error(t, err)
			for _, w := range tc.want {
				assert.Contains(t, err.Error(), w)
			}
		})
	}
}

func TestReadOutputsFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "out.json")
	require.NoError(t, os.WriteFile(path, []byte(`{"archiveRegion": "eu-west-1"}`), 0o600))
	m, err := contract.ReadOutputsFile(path)
	require.NoError(t, err)
	assert.Equal(t, "eu-west-1", m["archiveRegion"])
	require.NoError(t, os.WriteFile(path, []byte(`Current stack outputs (1):`), 0o600))
	_, err = contract.ReadOutputsFile(path)
	assert.ErrorContains(t, err, "not the JSON of `pulumi stack output --json`")
}

// Without the Pulumi CLI, reading a stack's outputs says how to do without it.
func TestStackOutputs_WithoutTheCLI(t *testing.T) {
	_, err := contract.StackOutputs(t.Context(), "pulumi-not-installed-here", "workload-a", "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "needs the Pulumi CLI (pulumi-not-installed-here), which is not on PATH")
	assert.Contains(t, err.Error(), "--source-outputs/--archive-outputs")
}
