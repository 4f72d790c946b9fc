package program_test

import (
	"fmt"
	"maps"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
)

func runSource(t *testing.T, cfg map[string]string) *plan.Plan {
	t.Helper()
	p, err := runStack(t, "workload-a", cfg, archiveOutputs(t, destinationConfig()))
	require.NoError(t, err)
	return p
}

func TestSource_ResourcesOptionsAndOrdering(t *testing.T) {
	p := runSource(t, sourceConfig())
	component := mustStep(t, p, components.SourceReplicatorType, "source")
	role := mustStep(t, p, tRole, "source-role")
	rolePolicy := mustStep(t, p, tRolePolicy, "source-role-policy")
	for _, s := range p.Creates() {
		if s.URN != component.URN && !strings.Contains(s.URN, components.ReplicationAlarmsType+"$") {
			assert.Equal(t, component.URN, s.NewState.Parent, "%s parented under the component", s.Name())
			assert.False(t, s.NewState.Protect, "%s is not protected: the stack can be destroyed to offboard", s.Name())
		}
	}
	assert.False(t, role.NewState.RetainOnDelete)
	assert.Contains(t, rolePolicy.NewState.Dependencies, role.URN)

	for _, bucket := range []string{"trail-logs", "flow-logs"} {
		t.Run(bucket, func(t *testing.T) {
			versioning := mustStep(t, p, tVersioning, "source-"+bucket+"-versioning")
			assert.Equal(t, bucket, versioning.NewState.Inputs["bucket"])
			assert.Equal(t, "Enabled", input(t, versioning, "versioningConfiguration", "status"), "R4.1")
			assert.Equal(t, sourceAccount, versioning.NewState.Inputs["expectedBucketOwner"])
			assert.True(t, versioning.NewState.RetainOnDelete, "destroy never suspends versioning on the user's bucket")

			repl := mustStep(t, p, tReplication, "source-"+bucket+"-replication")
			assert.Equal(t, bucket, repl.NewState.Inputs["bucket"])
			assert.Equal(t, "arn:aws:iam::222222222222:role/log-archive/log-archive-replication", repl.NewState.Inputs["role"])
			assert.Contains(t, repl.NewState.Dependencies, versioning.URN, "R4.1: versioning before replication")
			assert.Contains(t, repl.NewState.Dependencies, rolePolicy.URN, "permissions before the first object replicates (R5.9)")
		})
	}
	assert.Len(t, p.Creates(), 1+2+2+2*2+(1+2+2), "component, role and policy, backfill role and policy, per bucket versioning and replication, alarms (component, topic and policy, one per bucket)")
	require.Len(t, p.Steps, len(p.Creates())+1)
	assert.Equal(t, "read", p.Steps[0].Op)
	assert.Equal(t, destinationRef, p.Steps[0].NewState.Inputs["name"])
}

func TestSource_RoleIsTheOneTheArchivePins_R1_1(t *testing.T) {
	refs := archiveOutputs(t, with(destinationConfig(), "log-archive:replicationRoleName", "archive-writer", "log-archive:replicationRolePath", "/logs/"))
	p, err := runStack(t, "workload-a", sourceConfig(), refs)
	require.NoError(t, err)
	role := mustStep(t, p, tRole, "source-role")
	assert.Equal(t, "archive-writer", role.NewState.Inputs["name"])
	assert.Equal(t, "/logs/", role.NewState.Inputs["path"])

	trust := policyInput(t, role, "assumeRolePolicy")
	require.Len(t, trust.Statement, 1)
	s := trust.Statement[0]
	assert.Equal(t, "Allow", s.Effect)
	assert.Equal(t, policy.Strings{"s3.amazonaws.com"}, s.Principal.Service)
	assert.Empty(t, s.Principal.AWS)
	assert.Equal(t, policy.Strings{"sts:AssumeRole"}, s.Action)
	assert.Empty(t, s.Condition, "R1.2")
	assert.Equal(t, "arn:aws:iam::222222222222:role/logs/archive-writer", p.Outputs["replicationRoleArn"])
}

func TestSource_RolePolicyAsSent(t *testing.T) {
	refs := archiveOutputs(t, destinationConfig())
	p, err := runStack(t, "workload-a", sourceConfig(), refs)
	require.NoError(t, err)
	archiveKey := refs[destinationRef]["archiveKeyArn"].(string)
	rp := mustStep(t, p, tRolePolicy, "source-role-policy")
	assert.Equal(t, "log-archive-replication", rp.NewState.Inputs["role"])
	d := policyInput(t, rp, "policy")

	tests := []struct {
		sid       string
		actions   policy.Strings
		resources policy.Strings
		condition policy.Conditions
	}{
		{components.SidReadSourceConfiguration, policy.Strings{"s3:GetReplicationConfiguration", "s3:ListBucket"},
			policy.Strings{"arn:aws:s3:::trail-logs", "arn:aws:s3:::flow-logs"}, nil},
		{components.SidReadSourceVersions, policy.Strings{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
			policy.Strings{"arn:aws:s3:::trail-logs/*", "arn:aws:s3:::flow-logs/*"}, nil},
		{components.SidReplicateIntoArchive, policy.Strings{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"},
			policy.Strings{"arn:aws:s3:::acme-log-archive/*"}, nil},
		{components.SidDecryptSourceObjects, policy.Strings{"kms:Decrypt"},
			policy.Strings{"arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444", "arn:aws:kms:us-east-2:222222222222:key/bbbbbbbb-1111-2222-3333-444444444444"},
			policy.Conditions{
				"StringEquals": {"kms:ViaService": {"s3.us-east-2.amazonaws.com"}},
				"StringLike": {"kms:EncryptionContext:aws:s3:arn": {
					"arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*", "arn:aws:s3:::flow-logs", "arn:aws:s3:::flow-logs/*"}},
			}},
		{components.SidEncryptReplicas, policy.Strings{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"},
			policy.Strings{archiveKey}, policy.Conditions{
				"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::acme-log-archive", "arn:aws:s3:::acme-log-archive/*"}},
			}},
	}
	require.Len(t, d.Statement, len(tests), "no statement beyond these")
	for _, tt := range tests {
		t.Run(tt.sid, func(t *testing.T) {
			s := statementOf(t, d, tt.sid)
			assert.Equal(t, "Allow", s.Effect)
			assert.Equal(t, tt.actions, s.Action)
			assert.Equal(t, tt.resources, s.Resource)
			assert.Equal(t, tt.condition, s.Condition)
		})
	}
}

func TestSource_ReplicationRuleFields(t *testing.T) {
	refs := archiveOutputs(t, destinationConfig())
	archiveKey := refs[destinationRef]["archiveKeyArn"].(string)
	tests := []struct {
		name          string
		cfg           map[string]string
		deleteMarkers string
		metrics       any
		rtc           any
		storageClass  any
	}{
		{"defaults", sourceConfig(), "Disabled", map[string]any{"status": "Enabled"}, nil, nil},
		{"replication time control", with(sourceConfig(), "log-archive:replicationTimeControl", "true"), "Disabled",
			map[string]any{"status": "Enabled", "eventThreshold": map[string]any{"minutes": 15.0}},
			map[string]any{"status": "Enabled", "time": map[string]any{"minutes": 15.0}}, nil},
		{"delete markers", with(sourceConfig(), "log-archive:replicateDeleteMarkers", "true"), "Enabled", map[string]any{"status": "Enabled"}, nil, nil},
		{"storage class", with(sourceConfig(), "log-archive:replicaStorageClass", "GLACIER_IR"), "Disabled", map[string]any{"status": "Enabled"}, nil, "GLACIER_IR"},
		{"metrics off", with(sourceConfig(), "log-archive:replicationMetrics", "false"), "Disabled", nil, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := runStack(t, "workload-a", tt.cfg, refs)
			require.NoError(t, err)
			repl := mustStep(t, p, tReplication, "source-trail-logs-replication")
			rules := input(t, repl, "rules").([]any)
			require.Len(t, rules, 1)
			rule := rules[0].(map[string]any)
			assert.Equal(t, "log-archive-acme-log-archive", rule["id"])
			assert.Equal(t, 1.0, rule["priority"], "R4.4")
			assert.Equal(t, "Enabled", rule["status"], "R4.4")
			assert.Equal(t, map[string]any{"prefix": "AWSLogs/"}, rule["filter"], "R4.4: V2 filter")
			assert.NotContains(t, rule, "prefix", "no V1 top-level prefix")
			assert.Equal(t, map[string]any{"status": tt.deleteMarkers}, rule["deleteMarkerReplication"], "R4.6")
			assert.Equal(t, map[string]any{"sseKmsEncryptedObjects": map[string]any{"status": "Enabled"}}, rule["sourceSelectionCriteria"], "R4.8; no ReplicaModifications (R4.11)")
			assert.NotContains(t, rule, "existingObjectReplication", "R4.12")

			dest := rule["destination"].(map[string]any)
			assert.Equal(t, "arn:aws:s3:::acme-log-archive", dest["bucket"])
			assert.Equal(t, archiveAccount, dest["account"], "R2.7")
			assert.Equal(t, map[string]any{"owner": "Destination"}, dest["accessControlTranslation"], "R2.7")
			assert.Equal(t, map[string]any{"replicaKmsKeyId": archiveKey}, dest["encryptionConfiguration"], "R4.9: the archive key's full ARN")
			assert.Equal(t, tt.metrics, dest["metrics"], "R4.7")
			assert.Equal(t, tt.rtc, dest["replicationTime"], "R4.7")
			assert.Equal(t, tt.storageClass, dest["storageClass"], "R4.13")

			other := mustStep(t, p, tReplication, "source-flow-logs-replication")
			assert.Equal(t, map[string]any{"prefix": ""}, input(t, other, "rules", 0, "filter"), "no prefix: the whole bucket")
		})
	}
}

func TestSource_ObjectLockBucket_R1_7_R4_14(t *testing.T) {
	cfg := with(sourceConfig(), "log-archive:sourceBuckets",
		`[{"name":"locked-logs","kmsKeyArns":["arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"],"objectLock":true}]`)
	lockedArchive := archiveOutputs(t, with(destinationConfig(), "log-archive:objectLock", `{"mode":"GOVERNANCE","days":30}`))
	p, err := runStack(t, "workload-a", cfg, lockedArchive)
	require.NoError(t, err)
	s := statementOf(t, policyInput(t, mustStep(t, p, tRolePolicy, "source-role-policy"), "policy"), components.SidReadSourceObjectLock)
	assert.Equal(t, policy.Strings{"s3:GetObjectRetention", "s3:GetObjectLegalHold"}, s.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::locked-logs/*"}, s.Resource)

	p, err = runStack(t, "workload-a", cfg, archiveOutputs(t, destinationConfig()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Pulumi.workload-a.yaml: log-archive:sourceBuckets[0].objectLock = true: a bucket with Object Lock replicates only into an archive with Object Lock")
	assert.Empty(t, p.Creates())
}

func TestSource_BadConfigIsRejectedBeforeAnyResource(t *testing.T) {
	key := func(acct, region string) string {
		return "arn:aws:kms:" + region + ":" + acct + ":key/aaaaaaaa-1111-2222-3333-444444444444"
	}
	bucket := func(name, keyArn, extra string) string {
		return `[{"name":"` + name + `","kmsKeyArns":["` + keyArn + `"]` + extra + `}]`
	}
	good := key(sourceAccount, "us-east-2")
	tests := []struct {
		name string
		cfg  map[string]string
		want []string
	}{
		{"missing destination stack", with(sourceConfig(), "log-archive:destinationStack", ""),
			[]string{"Pulumi.workload-a.yaml: log-archive:destinationStack is not set", "organization/log-archive/destination"}},
		{"malformed destination stack", with(sourceConfig(), "log-archive:destinationStack", "org/proj/stack/extra"),
			[]string{`log-archive:destinationStack = "org/proj/stack/extra": is not a stack reference`}},
		{"missing source account", with(sourceConfig(), "log-archive:sourceAccountId", ""), []string{"log-archive:sourceAccountId is not set"}},
		{"source account not 12 digits", with(sourceConfig(), "log-archive:sourceAccountId", "2222"), []string{`log-archive:sourceAccountId = "2222": is not a 12-digit AWS account ID`}},
		{"allowedAccountIds wrong", with(sourceConfig(), "aws:allowedAccountIds", `["111111111111"]`), []string{"must be exactly this stack's account, 222222222222"}},
		{"missing bucket list", with(sourceConfig(), "log-archive:sourceBuckets", ""), []string{"log-archive:sourceBuckets is not set", "neither log-archive:sourceBuckets nor log-archive:logBuckets lists a bucket. Fix: list existing buckets to replicate in log-archive:sourceBuckets"}},
		{"empty bucket list", with(sourceConfig(), "log-archive:sourceBuckets", "[]"), []string{"log-archive:sourceBuckets is not set: neither log-archive:sourceBuckets nor log-archive:logBuckets lists a bucket"}},
		{"bucket list not a list", with(sourceConfig(), "log-archive:sourceBuckets", `"trail-logs"`), []string{"log-archive:sourceBuckets", "cannot be read"}},
		{"bad bucket name", with(sourceConfig(), "log-archive:sourceBuckets", bucket("Trail_Logs", good, "")),
			[]string{`log-archive:sourceBuckets[0].name = "Trail_Logs": may hold only lowercase letters`}},
		{"bucket without name", with(sourceConfig(), "log-archive:sourceBuckets", `[{"kmsKeyArns":["`+good+`"]}]`),
			[]string{"log-archive:sourceBuckets[0].name is not set"}},
		{"duplicate bucket", with(sourceConfig(), "log-archive:sourceBuckets",
			`[{"name":"a-logs","kmsKeyArns":["`+good+`"]},{"name":"a-logs","kmsKeyArns":["`+good+`"]}]`),
			[]string{`log-archive:sourceBuckets[1].name = "a-logs": is listed twice (also at log-archive:sourceBuckets[0])`, "one replication configuration"}},
		{"bucket without key", with(sourceConfig(), "log-archive:sourceBuckets", `[{"name":"a-logs"}]`),
			[]string{"log-archive:sourceBuckets[0].kmsKeyArns is not set: no KMS key is given", "R1.13"}},
		{"key is an alias", with(sourceConfig(), "log-archive:sourceBuckets", bucket("a-logs", "arn:aws:kms:us-east-2:222222222222:alias/logs", "")),
			[]string{"log-archive:sourceBuckets[0].kmsKeyArns[0]", "is not a KMS key ARN"}},
		{"key is not an ARN", with(sourceConfig(), "log-archive:sourceBuckets", bucket("a-logs", "aaaaaaaa-1111-2222-3333-444444444444", "")),
			[]string{"log-archive:sourceBuckets[0].kmsKeyArns[0]", "is not an ARN"}},
		{"key in another account (R1.18)", with(sourceConfig(), "log-archive:sourceBuckets", bucket("a-logs", key("999999999999", "us-east-2"), "")),
			[]string{"belongs to account 999999999999, not 222222222222", "R1.18"}},
		{"key in another Region", with(sourceConfig(), "log-archive:sourceBuckets", bucket("a-logs", key(sourceAccount, "eu-west-1"), "")),
			[]string{"is in Region eu-west-1, not us-east-2"}},
		{"prefix too long", with(sourceConfig(), "log-archive:sourceBuckets", bucket("a-logs", good, `,"prefix":"`+strings.Repeat("p", 1025)+`"`)),
			[]string{"log-archive:sourceBuckets[0].prefix = (1025 characters): is longer than the 1,024 characters S3 allows"}},
		{"misspelt bucket field", with(sourceConfig(), "log-archive:sourceBuckets", `[{"name":"a-logs","kmsKeyArn":"`+good+`"}]`),
			[]string{`has a field this program does not know, "kmsKeyArn" (did you mean kmsKeyArns?)`}},
		{"unknown storage class", with(sourceConfig(), "log-archive:replicaStorageClass", "COLD"),
			[]string{`log-archive:replicaStorageClass = "COLD": is not a storage class replication accepts`, "STANDARD_IA"}},
		{"RTC without metrics", with(sourceConfig(), "log-archive:replicationTimeControl", "true", "log-archive:replicationMetrics", "false"),
			[]string{"log-archive:replicationMetrics = false: replication time control needs replication metrics (R4.7)"}},
		{"bool that is not a bool", with(sourceConfig(), "log-archive:replicateDeleteMarkers", "yes"),
			[]string{`log-archive:replicateDeleteMarkers = "yes": not true or false`}},
		{"destination key in a source stack", with(sourceConfig(), "log-archive:archiveBucketName", "acme-log-archive"),
			[]string{"log-archive:archiveBucketName = acme-log-archive: belongs to the other kind of stack"}},
	}
	refs := archiveOutputs(t, destinationConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := runStack(t, "workload-a", tt.cfg, refs)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, p.Steps, "config errors stop the program before it even reads the archive stack")
		})
	}
}

func TestSource_ArchiveContractIsCheckedBeforeAnyResource(t *testing.T) {
	good := archiveOutputs(t, destinationConfig())[destinationRef]
	mutate := func(kv ...any) map[string]map[string]any {
		out := maps.Clone(good)
		for i := 0; i+1 < len(kv); i += 2 {
			if kv[i+1] == nil {
				delete(out, kv[i].(string))
			} else {
				out[kv[i].(string)] = kv[i+1]
			}
		}
		return map[string]map[string]any{destinationRef: out}
	}
	tests := []struct {
		name string
		refs map[string]map[string]any
		want []string
	}{
		{"archive never deployed", nil,
			[]string{`Pulumi.workload-a.yaml: log-archive:destinationStack = "organization/log-archive/destination"`,
				"names a stack with none of the outputs a source needs: the archive is not deployed yet, or no stack has that name",
				"Fix: check the name (the archive's stack file is Pulumi.destination.yaml", "if it is right, run `pulumi up --stack destination` first"}},
		{"an output missing", mutate("archiveKeyArn", nil),
			[]string{"the archive stack lacks the outputs archiveKeyArn", "pulumi up --stack destination"}},
		{"account not accepted", archiveOutputs(t, with(destinationConfig(), "log-archive:sourceAccountIds", `["333333333333"]`)),
			[]string{"the archive does not accept source account 222222222222 (it accepts 333333333333)",
				`Fix: add "222222222222" to log-archive:sourceAccountIds in Pulumi.destination.yaml and deploy the archive, then run this stack again; ` +
					"`pulumi up --stack destination` deploys it"}},
		{"key output is an alias (R4.9)", mutate("archiveKeyArn", "arn:aws:kms:eu-west-1:111111111111:alias/log-archive"),
			[]string{"output archiveKeyArn must be the full ARN of a key in the archive account and Region (R4.9)", "is not a KMS key ARN"}},
		{"key output in another account", mutate("archiveKeyArn", "arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
			[]string{"belongs to account 999999999999, not 111111111111"}},
		{"key output in another Region", mutate("archiveKeyArn", "arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
			[]string{"is in Region us-east-1, not eu-west-1"}},
		{"unknown contract version", mutate("contractVersion", 2),
			[]string{"the archive publishes contract version 2; this program reads version 1"}},
		{"malformed account output", mutate("archiveAccountId", "1111"),
			[]string{"the archive's outputs are malformed", "output archiveAccountId"}},
		{"wrong output type", mutate("sourceAccountIds", "222222222222"),
			[]string{"output sourceAccountIds is a string, not a list"}},
		{"bucket ARN disagrees with name", mutate("archiveBucketArn", "arn:aws:s3:::other-bucket"),
			[]string{`output archiveBucketArn is "arn:aws:s3:::other-bucket"`}},
		{"source is the archive account", mutate("archiveAccountId", sourceAccount,
			"archiveKeyArn", "arn:aws:kms:eu-west-1:222222222222:key/1234abcd-12ab-34cd-56ef-1234567890ab"),
			[]string{`log-archive:sourceAccountId = "222222222222": is the archive account itself`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := runStack(t, "workload-a", sourceConfig(), tt.refs)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Empty(t, p.Creates(), "nothing created; only the archive stack was read")
		})
	}
}

func TestSource_BucketThatIsTheArchiveIsRejected(t *testing.T) {
	cfg := with(sourceConfig(), "log-archive:sourceBuckets",
		`[{"name":"acme-log-archive","kmsKeyArns":["arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"]}]`)
	p, err := runStack(t, "workload-a", cfg, archiveOutputs(t, destinationConfig()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `log-archive:sourceBuckets[0].name = "acme-log-archive": is the archive bucket itself`)
	assert.Empty(t, p.Creates())
}

// Past IAM's quotas for a role (10,240 characters inline, or 10 managed policies of 6,144 each) the stack
// stops before anything is created; regions_test.go checks the count it names exactly.
func TestSource_RolePolicyOverTheIAMLimitIsRejected(t *testing.T) {
	var items []string
	for i := range 300 {
		items = append(items, fmt.Sprintf(`{"name":"workload-logs-%s-%03d","kmsKeyArns":["arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444%03d"]}`,
			strings.Repeat("x", 30), i, i))
	}
	p, err := runStack(t, "workload-a", with(sourceConfig(), "log-archive:sourceBuckets", "["+strings.Join(items, ",")+"]"), archiveOutputs(t, destinationConfig()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "log-archive:sourceBuckets and log-archive:logBuckets = (300 buckets): the replication role's permissions for 300 buckets do not fit IAM's quotas")
	assert.Contains(t, err.Error(), "over IAM's 6144")
	assert.Empty(t, p.Creates())
}
