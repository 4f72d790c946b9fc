package program_test

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/plan"
	"log-archive/internal/policy"
	"log-archive/internal/program"
	"log-archive/internal/testfixture"
)

const (
	logBucket = "acme-a-logs"
	detector  = "6ac1f2e3d4b5a69788796a5b4c3d2e1f"
)

// logSourceConfig is a source stack with one existing bucket and one log bucket for all three services.
func logSourceConfig() map[string]string {
	return with(sourceConfig(),
		"log-archive:sourceBuckets", `[{"name": "trail-logs", "kmsKeyArns": ["arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"]}]`,
		"log-archive:logBuckets", `[{"name": "`+logBucket+`", "services": ["guardduty", "cloudtrail", "vpc-flow-logs"],
			"guardDutyDetectorId": "`+detector+`", "trailNames": ["management-events"]}]`)
}

// logKeyArn is the ARN the mock assigned to the log bucket's key, read from the stack outputs.
func logKeyArn(t *testing.T, p *plan.Plan) string {
	t.Helper()
	buckets, ok := p.Outputs["logBuckets"].(map[string]any)
	require.True(t, ok, "output %s", "logBuckets")
	entry, ok := buckets[logBucket].(map[string]any)
	require.True(t, ok, "output %s has no %s", "logBuckets", logBucket)
	return entry["keyArn"].(string)
}

func TestLogBucket_ResourcesOptionsAndOrdering(t *testing.T) {
	p := runSource(t, logSourceConfig())
	replicator := mustStep(t, p, components.SourceReplicatorType, "source")
	component := mustStep(t, p, components.SourceLogBucketType, "source-"+logBucket)
	assert.Equal(t, replicator.URN, component.NewState.Parent)

	children := map[string]string{
		"-key": tKey, "-key-alias": tAlias, "-bucket": tBucket, "-ownership": tOwnership,
		"-public-access-block": tPublicAccess, "-versioning": tVersioning, "-encryption": tEncryption, "-policy": tBucketPolicy,
	}
	for suffix, typ := range children {
		s := mustStep(t, p, typ, "source-"+logBucket+suffix)
		assert.Equal(t, component.URN, s.NewState.Parent, "%s parented under the log bucket", s.Name())
		assert.True(t, s.NewState.RetainOnDelete, "%s is retained: destroying the source stack leaves the account's logs and their key", s.Name())
		assert.False(t, s.NewState.Protect, "%s is not protected: offboarding is a plain destroy", s.Name())
	}
	var owned int
	for _, s := range p.Creates() {
		if s.NewState.Parent == component.URN {
			owned++
		}
	}
	assert.Equal(t, len(children), owned, "nothing else is created for the log bucket")

	key := mustStep(t, p, tKey, "source-"+logBucket+"-key")
	assert.Equal(t, true, key.NewState.Inputs["enableKeyRotation"])
	assert.Equal(t, "SYMMETRIC_DEFAULT", key.NewState.Inputs["customerMasterKeySpec"])
	assert.Equal(t, "ENCRYPT_DECRYPT", key.NewState.Inputs["keyUsage"])
	assert.Equal(t, false, key.NewState.Inputs["multiRegion"])
	assert.Equal(t, "alias/log-archive/"+logBucket, mustStep(t, p, tAlias, "source-"+logBucket+"-key-alias").NewState.Inputs["name"])

	assert.Equal(t, logBucket, mustStep(t, p, tBucket, "source-"+logBucket+"-bucket").NewState.Inputs["bucket"])
	assert.Equal(t, "BucketOwnerEnforced", input(t, mustStep(t, p, tOwnership, "source-"+logBucket+"-ownership"), "rule", "objectOwnership"), "R1.11")
	pab := mustStep(t, p, tPublicAccess, "source-"+logBucket+"-public-access-block")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		assert.Equal(t, true, pab.NewState.Inputs[k], k)
	}
	versioning := mustStep(t, p, tVersioning, "source-"+logBucket+"-versioning")
	assert.Equal(t, "Enabled", input(t, versioning, "versioningConfiguration", "status"), "R4.1")
	assert.Equal(t, sourceAccount, versioning.NewState.Inputs["expectedBucketOwner"])

	keyArn := logKeyArn(t, p)
	assert.Regexp(t, regexp.MustCompile(`^arn:aws:kms:us-east-2:222222222222:key/[0-9a-f-]{36}$`), keyArn)
	enc := mustStep(t, p, tEncryption, "source-"+logBucket+"-encryption")
	assert.Equal(t, map[string]any{"sseAlgorithm": "aws:kms", "kmsMasterKeyId": keyArn}, input(t, enc, "rules", 0, "applyServerSideEncryptionByDefault"))
	assert.Equal(t, true, input(t, enc, "rules", 0, "bucketKeyEnabled"))

	bucketPolicy := mustStep(t, p, tBucketPolicy, "source-"+logBucket+"-policy")
	assert.Contains(t, bucketPolicy.NewState.Dependencies, pab.URN, "policy after the public access block (OperationAborted)")

	// Replication out of the log bucket: the whole bucket, after versioning and the role's permissions.
	repl := mustStep(t, p, tReplication, "source-"+logBucket+"-replication")
	assert.Equal(t, replicator.URN, repl.NewState.Parent)
	assert.Equal(t, logBucket, repl.NewState.Inputs["bucket"])
	assert.Contains(t, repl.NewState.Dependencies, versioning.URN, "R4.1")
	assert.Contains(t, repl.NewState.Dependencies, mustStep(t, p, tRolePolicy, "source-role-policy").URN, "R5.9")
	assert.Equal(t, "arn:aws:iam::222222222222:role/log-archive/log-archive-replication", repl.NewState.Inputs["role"])
	assert.Equal(t, "arn:aws:s3:::acme-log-archive", input(t, repl, "rules", 0, "destination", "bucket"))
	assert.Equal(t, archiveAccount, input(t, repl, "rules", 0, "destination", "account"), "R2.7")
	assert.Equal(t, map[string]any{"owner": "Destination"}, input(t, repl, "rules", 0, "destination", "accessControlTranslation"), "R2.7")
	assert.Regexp(t, keyArnPattern, input(t, repl, "rules", 0, "destination", "encryptionConfiguration", "replicaKmsKeyId"), "R4.9: the archive key, not the log key")
	assert.Equal(t, map[string]any{"status": "Disabled"}, input(t, repl, "rules", 0, "deleteMarkerReplication"), "R4.6")
	assert.Equal(t, map[string]any{"prefix": ""}, input(t, repl, "rules", 0, "filter"))
	assert.Equal(t, map[string]any{"sseKmsEncryptedObjects": map[string]any{"status": "Enabled"}}, input(t, repl, "rules", 0, "sourceSelectionCriteria"), "R4.8")
	var versioned int
	for _, s := range p.OfType(tVersioning) {
		if s.NewState.Inputs["bucket"] == logBucket {
			versioned++
		}
	}
	assert.Equal(t, 1, versioned, "the replicator does not manage the log bucket's versioning a second time")

	assert.Equal(t, []any{"trail-logs", logBucket}, p.Outputs["replicatedBuckets"])
}

// The policies as the mock monitor received them: exactly the named services' statements and the deny.
func TestLogBucket_PoliciesAsSent_G1_C1_V1(t *testing.T) {
	p := runSource(t, logSourceConfig())
	keyPolicy := policyInput(t, mustStep(t, p, tKey, "source-"+logBucket+"-key"), "policy")
	bucketPolicy := policyInput(t, mustStep(t, p, tBucketPolicy, "source-"+logBucket+"-policy"), "policy")
	assert.Equal(t, []string{"SourceAccountAdministersKey", "GuardDutyEncryptsFindings", "CloudTrailEncryptsLogs", "CloudTrailDescribesKey", "CloudTrailDecryptsWithBucketKey", "VPCFlowLogsUseKey"}, sidsOf(keyPolicy))
	assert.Equal(t, []string{"GuardDutyGetsBucketLocation", "GuardDutyWritesFindings", "CloudTrailChecksBucketAcl", "CloudTrailWritesLogs",
		"VPCFlowLogsCheckBucketAcl", "VPCFlowLogsWriteLogs", "DenyInsecureTransport"}, sidsOf(bucketPolicy))

	detectorArn := "arn:aws:guardduty:us-east-2:222222222222:detector/" + detector
	trailArn := "arn:aws:cloudtrail:us-east-2:222222222222:trail/management-events"
	gd := statementOf(t, bucketPolicy, "GuardDutyWritesFindings")
	assert.Equal(t, policy.Strings{"guardduty.amazonaws.com"}, gd.Principal.Service)
	assert.Equal(t, policy.Strings{"s3:PutObject"}, gd.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::" + logBucket + "/*"}, gd.Resource)
	assert.Equal(t, policy.Conditions{"StringEquals": {"aws:SourceAccount": {sourceAccount}, "aws:SourceArn": {detectorArn}}}, gd.Condition)

	ct := statementOf(t, bucketPolicy, "CloudTrailWritesLogs")
	assert.Equal(t, policy.Strings{"arn:aws:s3:::" + logBucket + "/AWSLogs/222222222222/*"}, ct.Resource)
	assert.Equal(t, policy.Conditions{"StringEquals": {
		"aws:SourceAccount": {sourceAccount}, "aws:SourceArn": {trailArn}, "s3:x-amz-acl": {"bucket-owner-full-control"},
	}}, ct.Condition)
	ctKey := statementOf(t, keyPolicy, "CloudTrailEncryptsLogs")
	assert.Equal(t, policy.Strings{"kms:GenerateDataKey*"}, ctKey.Action)
	assert.Equal(t, policy.Strings{"arn:aws:cloudtrail:*:222222222222:trail/*"}, ctKey.Condition["StringLike"]["kms:EncryptionContext:aws:cloudtrail:arn"])

	fl := statementOf(t, keyPolicy, "VPCFlowLogsUseKey")
	assert.Equal(t, policy.Strings{"delivery.logs.amazonaws.com"}, fl.Principal.Service)
	assert.Equal(t, policy.Conditions{
		"StringEquals": {"aws:SourceAccount": {sourceAccount}},
		"ArnLike":      {"aws:SourceArn": {"arn:aws:logs:us-east-2:222222222222:*"}},
	}, fl.Condition)
}

func TestLogBucket_OnlyTheNamedServices(t *testing.T) {
	cfg := with(sourceConfig(), "log-archive:logBuckets", `[{"name": "`+logBucket+`", "services": ["vpc-flow-logs"]}]`)
	p := runSource(t, cfg)
	keyPolicy := policyInput(t, mustStep(t, p, tKey, "source-"+logBucket+"-key"), "policy")
	bucketPolicy := policyInput(t, mustStep(t, p, tBucketPolicy, "source-"+logBucket+"-policy"), "policy")
	assert.Equal(t, []string{"SourceAccountAdministersKey", "VPCFlowLogsUseKey"}, sidsOf(keyPolicy))
	assert.Equal(t, []string{"VPCFlowLogsCheckBucketAcl", "VPCFlowLogsWriteLogs", "DenyInsecureTransport"}, sidsOf(bucketPolicy))
	for _, d := range []policy.Document{keyPolicy, bucketPolicy} {
		for _, s := range d.Statement {
			if s.Principal != nil {
				assert.NotContains(t, s.Principal.Service, "guardduty.amazonaws.com")
				assert.NotContains(t, s.Principal.Service, "cloudtrail.amazonaws.com")
			}
		}
	}
}

// R1.13, R1.18: the role decrypts with the key AWS assigned to the log bucket, which nobody typed.
func TestLogBucket_ReplicationRoleDecryptsWithTheNewKey(t *testing.T) {
	p := runSource(t, logSourceConfig())
	keyArn := logKeyArn(t, p)
	rolePolicy := policyInput(t, mustStep(t, p, tRolePolicy, "source-role-policy"), "policy")
	decrypt := statementOf(t, rolePolicy, components.SidDecryptSourceObjects)
	assert.Equal(t, policy.Strings{"arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444", keyArn}, decrypt.Resource)
	assert.Equal(t, policy.Conditions{
		"StringEquals": {"kms:ViaService": {"s3.us-east-2.amazonaws.com"}},
		"StringLike": {"kms:EncryptionContext:aws:s3:arn": {
			"arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*", "arn:aws:s3:::" + logBucket, "arn:aws:s3:::" + logBucket + "/*"}},
	}, decrypt.Condition)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::trail-logs/*", "arn:aws:s3:::" + logBucket + "/*"},
		statementOf(t, rolePolicy, components.SidReadSourceVersions).Resource)
	// The key policy lets IAM in the account decide (R1.18); it does not name the role, which may not exist yet.
	keyPolicy := policyInput(t, mustStep(t, p, tKey, "source-"+logBucket+"-key"), "policy")
	assert.Equal(t, policy.Strings{"arn:aws:iam::222222222222:root"}, statementOf(t, keyPolicy, "SourceAccountAdministersKey").Principal.AWS)
}

func TestLogBucket_AloneIsAValidSourceStack(t *testing.T) {
	cfg := with(sourceConfig(), "log-archive:sourceBuckets", "",
		"log-archive:logBuckets", `[{"name": "`+logBucket+`", "services": ["guardduty"], "guardDutyDetectorId": "`+detector+`", "serviceRegion": "us-west-2"}]`)
	p := runSource(t, cfg)
	bucketPolicy := policyInput(t, mustStep(t, p, tBucketPolicy, "source-"+logBucket+"-policy"), "policy")
	assert.Equal(t, policy.Strings{"arn:aws:guardduty:us-west-2:222222222222:detector/" + detector},
		statementOf(t, bucketPolicy, "GuardDutyWritesFindings").Condition["StringEquals"]["aws:SourceArn"], "the detector's Region, not the bucket's")
	assert.Len(t, p.OfType(tReplication), 1)
}

func TestLogBucket_BadConfigIsRejectedBeforeAnyResource(t *testing.T) {
	lb := func(fields string) string { return `[{"name": "` + logBucket + `", ` + fields + `}]` }
	allThree := `"services": ["guardduty", "cloudtrail", "vpc-flow-logs"], "guardDutyDetectorId": "` + detector + `", "trailNames": ["management-events"]`
	tests := []struct {
		name string
		cfg  map[string]string
		want []string
	}{
		{"unknown service", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["vpc-flow-logs", "waf"]`)),
			[]string{`log-archive:logBuckets[0].services[1] = "waf": is not a log service this program knows. Fix: use one of guardduty, cloudtrail, vpc-flow-logs`}},
		{"service in capitals", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["GuardDuty"], "guardDutyDetectorId": "`+detector+`"`)),
			[]string{`log-archive:logBuckets[0].services[0] = "GuardDuty": is not a log service`}},
		{"no services", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": []`)),
			[]string{"log-archive:logBuckets[0].services is not set: no service is named"}},
		{"service named twice", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["vpc-flow-logs", "vpc-flow-logs"]`)),
			[]string{`log-archive:logBuckets[0].services[1] = "vpc-flow-logs": is named twice`}},
		{"guardduty without detector", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["guardduty"]`)),
			[]string{"log-archive:logBuckets[0].guardDutyDetectorId is not set: guardduty is named but its detector is not", "G1"}},
		{"malformed detector", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["guardduty"], "guardDutyDetectorId": "12abc"`)),
			[]string{`log-archive:logBuckets[0].guardDutyDetectorId = "12abc": is not a GuardDuty detector ID`, "list-detectors"}},
		{"detector ARN instead of ID", with(sourceConfig(), "log-archive:logBuckets",
			lb(`"services": ["guardduty"], "guardDutyDetectorId": "arn:aws:guardduty:us-east-2:222222222222:detector/`+detector+`"`)),
			[]string{"log-archive:logBuckets[0].guardDutyDetectorId", "is an ARN; give the detector ID alone"}},
		{"detector without guardduty", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["vpc-flow-logs"], "guardDutyDetectorId": "`+detector+`"`)),
			[]string{"log-archive:logBuckets[0].guardDutyDetectorId", "is set but guardduty is not among the services"}},
		{"cloudtrail without trails", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["cloudtrail"]`)),
			[]string{"log-archive:logBuckets[0].trailNames is not set: cloudtrail is named but no trail is", "C1"}},
		{"malformed trail name", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["cloudtrail"], "trailNames": ["ok-trail", "my trail"]`)),
			[]string{`log-archive:logBuckets[0].trailNames[1] = "my trail": is not a CloudTrail trail name`}},
		{"trail name with adjacent separators", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["cloudtrail"], "trailNames": ["my-_trail"]`)),
			[]string{`log-archive:logBuckets[0].trailNames[0] = "my-_trail": has two periods, underscores or dashes in a row`}},
		{"trails without cloudtrail", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["vpc-flow-logs"], "trailNames": ["a-trail"]`)),
			[]string{`log-archive:logBuckets[0].trailNames = ["a-trail"]: are set but cloudtrail is not among the services`}},
		{"bad service Region", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["vpc-flow-logs"], "serviceRegion": "Ohio"`)),
			[]string{`log-archive:logBuckets[0].serviceRegion = "Ohio": is not an AWS Region code`}},
		{"service Region in another partition", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["vpc-flow-logs"], "serviceRegion": "cn-north-1"`)),
			[]string{`log-archive:logBuckets[0].serviceRegion = "cn-north-1": is in partition aws-cn and the bucket in aws`}},
		{"collides with an existing bucket", with(sourceConfig(), "log-archive:logBuckets", `[{"name": "flow-logs", "services": ["vpc-flow-logs"]}]`),
			[]string{`log-archive:logBuckets[0].name = "flow-logs": is also listed at log-archive:sourceBuckets[1]`, "is created by this stack"}},
		{"listed twice", with(sourceConfig(), "log-archive:logBuckets", `[{"name": "x-logs", "services": ["vpc-flow-logs"]}, {"name": "x-logs", "services": ["cloudtrail"], "trailNames": ["t-1"]}]`),
			[]string{`log-archive:logBuckets[1].name = "x-logs": is also listed at log-archive:logBuckets[0]`, "merge the two entries"}},
		{"bad bucket name", with(sourceConfig(), "log-archive:logBuckets", `[{"name": "Acme_Logs", "services": ["vpc-flow-logs"]}]`),
			[]string{`log-archive:logBuckets[0].name = "Acme_Logs": may hold only lowercase letters`}},
		{"misspelt field", with(sourceConfig(), "log-archive:logBuckets", lb(`"services": ["guardduty"], "detectorId": "`+detector+`"`)),
			[]string{"log-archive:logBuckets", `has a field this program does not know, "detectorId"`}},
		{"neither bucket key", with(sourceConfig(), "log-archive:sourceBuckets", ""),
			[]string{"log-archive:sourceBuckets is not set: neither log-archive:sourceBuckets nor log-archive:logBuckets lists a bucket"}},
		{"log buckets in a destination stack", with(destinationConfig(), "log-archive:logBuckets", lb(allThree)),
			[]string{"log-archive:logBuckets", "belongs to the other kind of stack"}},
	}
	refs := archiveOutputs(t, destinationConfig())
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := runStack(t, "workload-a", tt.cfg, refs)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Contains(t, err.Error(), "Pulumi.workload-a.yaml")
			assert.Empty(t, p.Steps, "nothing is registered, not even the StackReference")
		})
	}
}

func TestLogBucket_NamedLikeTheArchiveIsRejected(t *testing.T) {
	cfg := with(sourceConfig(), "log-archive:logBuckets", `[{"name": "acme-log-archive", "services": ["vpc-flow-logs"]}]`)
	p, err := runStack(t, "workload-a", cfg, archiveOutputs(t, destinationConfig()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), `Pulumi.workload-a.yaml: log-archive:logBuckets[0].name = "acme-log-archive": is the archive bucket itself`)
	assert.Empty(t, p.Creates())
}

func TestLogBucket_TooManyTrailsNamesTheKey(t *testing.T) {
	trails := make([]string, 400)
	for i := range trails {
		trails[i] = fmt.Sprintf("%q", fmt.Sprintf("trail-number-%03d", i))
	}
	cfg := with(sourceConfig(), "log-archive:logBuckets",
		`[{"name": "`+logBucket+`", "services": ["cloudtrail"], "trailNames": [`+strings.Join(trails, ",")+`]}]`)
	p, err := runStack(t, "workload-a", cfg, archiveOutputs(t, destinationConfig()))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Pulumi.workload-a.yaml: log-archive:logBuckets[0].trailNames = (400 trails): the log bucket policy of acme-a-logs")
	assert.Contains(t, err.Error(), "Fix: split the trails across two log buckets")
	assert.Empty(t, p.Creates())
}

// C1: trails cannot be created into the archive (its S3 Bucket Key needs kms:Decrypt, which no source
// account has), so the old option is refused with what to do instead; false, its default, is accepted.
func TestDestination_AcceptCloudTrailIsRefused_C1(t *testing.T) {
	p, err := runStack(t, "destination", with(destinationConfig(), "log-archive:acceptCloudTrail", "true"), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Pulumi.destination.yaml: log-archive:acceptCloudTrail = true: is no longer supported")
	assert.Contains(t, err.Error(), "Fix: remove it, and point each account's trail at a log bucket in that account (log-archive:logBuckets with cloudtrail in services)")
	assert.Empty(t, p.Creates())

	p, err = runStack(t, "destination", with(destinationConfig(), "log-archive:acceptCloudTrail", "false"), nil)
	require.NoError(t, err)
	require.Len(t, p.Policies(), 2, "the archive's key and bucket policies")
	for _, pol := range p.Policies() {
		assert.NotContains(t, pol.Document, "cloudtrail.amazonaws.com", "%s admits no trail", pol.Resource)
	}
}

// The fixture source stack (the example as shipped) plans its log bucket for all three services.
func TestFixture_SourceHasALogBucketForEachService(t *testing.T) {
	p, err := plan.PlanStack(testfixture.Project(t), "source", program.Program)
	require.NoError(t, err)
	buckets := p.OfType(components.SourceLogBucketType)
	require.Len(t, buckets, 1)
	name := buckets[0].Name()
	bucketPolicy := policyInput(t, mustStep(t, p, tBucketPolicy, name+"-policy"), "policy")
	keyPolicy := policyInput(t, mustStep(t, p, tKey, name+"-key"), "policy")
	for _, sid := range []string{"GuardDutyWritesFindings", "CloudTrailWritesLogs", "VPCFlowLogsWriteLogs", "DenyInsecureTransport"} {
		assert.True(t, slices.Contains(sidsOf(bucketPolicy), sid), sid)
	}
	for _, sid := range []string{"GuardDutyEncryptsFindings", "CloudTrailEncryptsLogs", "VPCFlowLogsUseKey"} {
		assert.True(t, slices.Contains(sidsOf(keyPolicy), sid), sid)
	}
	assert.Len(t, p.OfType(tReplication), 2, "the log bucket and the existing bucket both replicate")
}

func sidsOf(d policy.Document) []string {
	out := make([]string, len(d.Statement))
	for i, s := range d.Statement {
		out[i] = s.Sid
	}
	return out
}
