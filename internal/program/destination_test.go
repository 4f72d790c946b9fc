package program_test

import (
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/components"
	"log-archive/internal/contract"
	"log-archive/internal/policy"
)

const (
	tKey          = "aws:kms/key:Key"
	tAlias        = "aws:kms/alias:Alias"
	tBucket       = "aws:s3/bucketV2:BucketV2"
	tOwnership    = "aws:s3/bucketOwnershipControls:BucketOwnershipControls"
	tPublicAccess = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock"
	tVersioning   = "aws:s3/bucketVersioningV2:BucketVersioningV2"
	tEncryption   = "aws:s3/bucketServerSideEncryptionConfigurationV2:BucketServerSideEncryptionConfigurationV2"
	tObjectLock   = "aws:s3/bucketObjectLockConfigurationV2:BucketObjectLockConfigurationV2"
	tLifecycle    = "aws:s3/bucketLifecycleConfigurationV2:BucketLifecycleConfigurationV2"
	tBucketPolicy = "aws:s3/bucketPolicy:BucketPolicy"
	tRole         = "aws:iam/role:Role"
	tRolePolicy   = "aws:iam/rolePolicy:RolePolicy"
	tReplication  = "aws:s3/bucketReplicationConfig:BucketReplicationConfig"
)

var keyArnPattern = regexp.MustCompile(`^arn:aws:kms:eu-west-1:111111111111:key/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$`)

// Every resource of the archive is protected and retained: a mistaken `pulumi destroy --stack destination`
// is refused before the engine deletes anything (it deletes dependents first, so one unprotected policy or
// encryption configuration would go before the engine reached the protected key). The engine test shows
// the refusal; this test shows the options on each resource, optional ones included.
func TestDestination_EveryResourceIsProtectedAndRetained(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  map[string]string
		want []string
	}{
		{"defaults", destinationConfig(), []string{"archive-key", "archive-key-alias", "archive-bucket", "archive-versioning",
			"archive-ownership", "archive-public-access-block", "archive-encryption", "archive-lifecycle", "archive-policy"}},
		{"with Object Lock and lifecycle", with(destinationConfig(),
			"log-archive:objectLock", `{"mode":"GOVERNANCE","days":30}`,
			"log-archive:lifecycle", `{"noncurrentExpirationDays":400}`),
			[]string{"archive-key", "archive-key-alias", "archive-bucket", "archive-versioning", "archive-ownership",
				"archive-public-access-block", "archive-encryption", "archive-lifecycle", "archive-policy", "archive-object-lock"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := runStack(t, "destination", tc.cfg, nil)
			require.NoError(t, err)
			component := mustStep(t, p, components.DestinationArchiveType, "archive")
			var names []string
			for _, s := range p.Creates() {
				if s.URN == component.URN {
					continue
				}
				names = append(names, s.Name())
				assert.Equal(t, component.URN, s.NewState.Parent, "%s is parented under the component", s.Name())
				assert.True(t, s.NewState.Protect, "%s is protected", s.Name())
				assert.True(t, s.NewState.RetainOnDelete, "%s is retained on delete", s.Name())
			}
			assert.ElementsMatch(t, tc.want, names, "exactly these resources")
		})
	}
}

func TestDestination_KeyIsRotatedSymmetricCustomerManaged_R3_1(t *testing.T) {
	p, err := runStack(t, "destination", destinationConfig(), nil)
	require.NoError(t, err)
	key := mustStep(t, p, tKey, "archive-key")
	for k, want := range map[string]any{
		"enableKeyRotation": true, "deletionWindowInDays": 30.0, "customerMasterKeySpec": "SYMMETRIC_DEFAULT",
		"keyUsage": "ENCRYPT_DECRYPT", "multiRegion": false,
	} {
		assert.Equal(t, want, key.NewState.Inputs[k], k)
	}
	assert.NotContains(t, key.NewState.Inputs, "bypassPolicyLockoutSafetyCheck")

	alias := mustStep(t, p, tAlias, "archive-key-alias")
	assert.Equal(t, "alias/log-archive", alias.NewState.Inputs["name"])
	assert.Contains(t, alias.NewState.Dependencies, key.URN)
}

func TestDestination_KeyPolicyNamesConfiguredSourcesAndRegion(t *testing.T) {
	p, err := runStack(t, "destination", with(destinationConfig(),
		"log-archive:replicationRoleName", "archive-writer", "log-archive:replicationRolePath", "/"), nil)
	require.NoError(t, err)
	d := policyInput(t, mustStep(t, p, tKey, "archive-key"), "policy")

	root := statementOf(t, d, components.SidArchiveAccountAdmin)
	assert.Equal(t, policy.Strings{"arn:aws:iam::111111111111:root"}, root.Principal.AWS)
	assert.Equal(t, policy.Strings{"kms:*"}, root.Action)

	src := statementOf(t, d, components.SidSourceRolesUseKey)
	assert.True(t, src.Principal.Everyone, "R3.3: no account principal that must exist")
	assert.Equal(t, policy.Strings{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"}, src.Action)
	assert.Equal(t, policy.Strings{"*"}, src.Resource)
	assert.Equal(t, policy.Conditions{
		"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}, "kms:CallerAccount": {"222222222222", "333333333333"}},
		"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::acme-log-archive", "arn:aws:s3:::acme-log-archive/*"}},
		"ArnLike":      {"aws:PrincipalArn": {"arn:aws:iam::*:role/archive-writer"}},
	}, src.Condition)
	_, hasAdmins := d.StatementBySid(components.SidKeyAdministrators)
	assert.False(t, hasAdmins, "no administrator statement unless configured")
}

func TestDestination_BucketIsVersionedEncryptedPrivateAndOwned(t *testing.T) {
	p, err := runStack(t, "destination", with(destinationConfig(), "log-archive:tags", `{"team":"security"}`), nil)
	require.NoError(t, err)
	bucket := mustStep(t, p, tBucket, "archive-bucket")
	assert.Equal(t, "acme-log-archive", bucket.NewState.Inputs["bucket"])
	assert.NotContains(t, bucket.NewState.Inputs, "forceDestroy", "forceDestroy is never set")
	assert.NotContains(t, bucket.NewState.Inputs, "objectLockEnabled")
	assert.Equal(t, map[string]any{"team": "security"}, bucket.NewState.Inputs["tags"])
	assert.Equal(t, map[string]any{"team": "security"}, mustStep(t, p, tKey, "archive-key").NewState.Inputs["tags"])

	versioning := mustStep(t, p, tVersioning, "archive-versioning")
	assert.Equal(t, "Enabled", input(t, versioning, "versioningConfiguration", "status"), "R4.1")
	assert.Equal(t, archiveAccount, versioning.NewState.Inputs["expectedBucketOwner"])

	enc := mustStep(t, p, tEncryption, "archive-encryption")
	assert.Equal(t, "aws:kms", input(t, enc, "rules", 0, "applyServerSideEncryptionByDefault", "sseAlgorithm"))
	assert.Regexp(t, keyArnPattern, input(t, enc, "rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"))
	assert.Equal(t, p.Outputs["archiveKeyArn"], input(t, enc, "rules", 0, "applyServerSideEncryptionByDefault", "kmsMasterKeyId"))
	assert.Equal(t, true, input(t, enc, "rules", 0, "bucketKeyEnabled"), "Bucket Key (R1.16, §6)")

	pab := mustStep(t, p, tPublicAccess, "archive-public-access-block")
	for _, k := range []string{"blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"} {
		assert.Equal(t, true, pab.NewState.Inputs[k], k)
	}
	assert.Equal(t, "BucketOwnerEnforced", input(t, mustStep(t, p, tOwnership, "archive-ownership"), "rule", "objectOwnership"), "R2.6")
}

func TestDestination_BucketPolicyAsSentAndOrderedAfterPublicAccessBlock(t *testing.T) {
	p, err := runStack(t, "destination", destinationConfig(), nil)
	require.NoError(t, err)
	pol := mustStep(t, p, tBucketPolicy, "archive-policy")
	assert.Equal(t, "acme-log-archive", pol.NewState.Inputs["bucket"])
	assert.Contains(t, pol.NewState.Dependencies, mustStep(t, p, tPublicAccess, "archive-public-access-block").URN)
	assert.Contains(t, pol.NewState.Dependencies, mustStep(t, p, tOwnership, "archive-ownership").URN)

	d := policyInput(t, pol, "policy")
	require.Len(t, d.Statement, 2)
	repl := statementOf(t, d, components.SidArchiveReplication)
	assert.Equal(t, "Allow", repl.Effect)
	assert.True(t, repl.Principal.Everyone)
	assert.Equal(t, policy.Strings{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"}, repl.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::acme-log-archive/*"}, repl.Resource)
	assert.Equal(t, policy.Conditions{
		"StringEquals": {"aws:PrincipalAccount": {"222222222222", "333333333333"}},
		"ArnLike":      {"aws:PrincipalArn": {"arn:aws:iam::*:role/log-archive/log-archive-replication"}},
	}, repl.Condition)

	deny := statementOf(t, d, components.SidDenyInsecureTransport)
	assert.Equal(t, "Deny", deny.Effect)
	assert.Equal(t, policy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}}, deny.Condition)
	for _, s := range d.Statement {
		if s.Effect == "Allow" && s.Principal.Everyone { // R2.10: pinned by a fixed account list
			assert.NotEmpty(t, s.Condition["StringEquals"]["aws:PrincipalAccount"], s.Sid)
		}
	}
}

func TestDestination_ObjectLockAndLifecycleOptions_H3_H5(t *testing.T) {
	p, err := runStack(t, "destination", with(destinationConfig(),
		"log-archive:objectLock", `{"mode":"COMPLIANCE","days":400}`,
		"log-archive:lifecycle", `{"noncurrentTransitionDays":30,"noncurrentTransitionStorageClass":"DEEP_ARCHIVE","noncurrentExpirationDays":3650}`,
	), nil)
	require.NoError(t, err)
	versioning := mustStep(t, p, tVersioning, "archive-versioning")
	// H3: a new archive is created with Object Lock on (versioning on at once, so the lock configuration
	// cannot meet versioning that has not propagated); the flag is then ignored, so adding Object Lock to a
	// live archive goes through the configuration resource, an update, never a replacement.
	bucket := mustStep(t, p, tBucket, "archive-bucket")
	assert.Equal(t, true, bucket.NewState.Inputs["objectLockEnabled"])
	assert.Equal(t, []string{"bucket", "objectLockEnabled"}, bucket.NewState.IgnoreChanges)
	plain, err := runStack(t, "destination", destinationConfig(), nil)
	require.NoError(t, err)
	assert.NotContains(t, mustStep(t, plain, tBucket, "archive-bucket").NewState.Inputs, "objectLockEnabled")
	assert.Equal(t, []string{"bucket", "objectLockEnabled"}, mustStep(t, plain, tBucket, "archive-bucket").NewState.IgnoreChanges,
		"the archive keeps its bucket name: a rename is refused by the name check, before the key policy changes")

	lock := mustStep(t, p, tObjectLock, "archive-object-lock")
	assert.Equal(t, "Enabled", lock.NewState.Inputs["objectLockEnabled"])
	assert.Equal(t, "COMPLIANCE", input(t, lock, "rule", "defaultRetention", "mode"))
	assert.Equal(t, 400.0, input(t, lock, "rule", "defaultRetention", "days"))
	assert.Contains(t, lock.NewState.Dependencies, versioning.URN)
	assert.True(t, lock.NewState.Protect, "removing the option never strips retention: the engine refuses to delete it")

	lc := mustStep(t, p, tLifecycle, "archive-lifecycle")
	assert.Contains(t, lc.NewState.Dependencies, versioning.URN)
	housekeeping := input(t, lc, "rules", 0).(map[string]any)
	assert.Equal(t, map[string]any{
		"id": "housekeeping", "status": "Enabled", "filter": map[string]any{"prefix": ""},
		"expiration":                     map[string]any{"expiredObjectDeleteMarker": true},
		"abortIncompleteMultipartUpload": map[string]any{"daysAfterInitiation": 7.0},
	}, housekeeping, "never expires current versions")
	assert.Equal(t, map[string]any{
		"id": "noncurrent-versions", "status": "Enabled", "filter": map[string]any{"prefix": ""},
		"noncurrentVersionTransitions": []any{map[string]any{"noncurrentDays": 30.0, "storageClass": "DEEP_ARCHIVE"}},
		"noncurrentVersionExpiration":  map[string]any{"noncurrentDays": 3650.0},
	}, input(t, lc, "rules", 1))
	assert.Equal(t, true, p.Outputs["archiveObjectLockEnabled"])
}

// Dropping log-archive:lifecycle removes the noncurrent-version rule from the same protected resource, an
// in-place update, instead of deleting a resource that protect would keep (H5).
func TestDestination_LifecycleOptionOffKeepsOnlyHousekeeping_H5(t *testing.T) {
	p, err := runStack(t, "destination", destinationConfig(), nil)
	require.NoError(t, err)
	lc := mustStep(t, p, tLifecycle, "archive-lifecycle")
	rules := input(t, lc, "rules").([]any)
	require.Len(t, rules, 1)
	assert.Equal(t, "housekeeping", rules[0].(map[string]any)["id"])
	assert.NotContains(t, rules[0], "noncurrentVersionExpiration")
}

func TestDestination_KeyAdministrators(t *testing.T) {
	p, err := runStack(t, "destination", with(destinationConfig(),
		"log-archive:keyAdministratorArns", `["arn:aws:iam::111111111111:role/SecurityAdmin"]`), nil)
	require.NoError(t, err)
	s := statementOf(t, policyInput(t, mustStep(t, p, tKey, "archive-key"), "policy"), components.SidKeyAdministrators)
	assert.Equal(t, policy.Strings{"arn:aws:iam::111111111111:role/SecurityAdmin"}, s.Principal.AWS)
	assert.Equal(t, policy.Strings(components.KeyAdministratorActions), s.Action)
	assert.NotContains(t, s.Action, "kms:Create*", "no CreateGrant: administrators cannot grant themselves Decrypt")
	assert.NotContains(t, s.Action, "kms:Put*", "no PutKeyPolicy: the program owns the key policy")
}

func TestDestination_OutputsAreTheContract(t *testing.T) {
	p, err := runStack(t, "destination", destinationConfig(), nil)
	require.NoError(t, err)
	assert.ElementsMatch(t, contract.Names[contract.ArchiveOutputs](), slices.Collect(maps.Keys(p.Outputs)), "every output the contract declares, and no other")
	_, err = contract.ParseArchive(p.Outputs)
	require.NoError(t, err, "a source reads what the archive publishes")
	assert.Equal(t, 1.0, p.Outputs["contractVersion"], "outputs read as a StackReference sees them: JSON numbers")
	assert.Equal(t, archiveAccount, p.Outputs["archiveAccountId"])
	assert.Equal(t, "eu-west-1", p.Outputs["archiveRegion"])
	assert.Equal(t, "acme-log-archive", p.Outputs["archiveBucketName"])
	assert.Equal(t, "arn:aws:s3:::acme-log-archive", p.Outputs["archiveBucketArn"])
	assert.Regexp(t, keyArnPattern, p.Outputs["archiveKeyArn"], "a full key ARN, never an alias (R4.9)")
	assert.Equal(t, "alias/log-archive", p.Outputs["archiveKeyAlias"])
	assert.Equal(t, "log-archive-replication", p.Outputs["replicationRoleName"])
	assert.Equal(t, "/log-archive/", p.Outputs["replicationRolePath"])
	assert.Equal(t, "arn:aws:iam::*:role/log-archive/log-archive-replication", p.Outputs["replicationRoleArnPattern"])
	assert.Equal(t, []any{"222222222222", "333333333333"}, p.Outputs["sourceAccountIds"])
	assert.Equal(t, false, p.Outputs["archiveObjectLockEnabled"])
}

func TestDestination_EmptySourceListIsAValidArchive(t *testing.T) {
	p, err := runStack(t, "destination", with(destinationConfig(), "log-archive:sourceAccountIds", `[]`), nil)
	require.NoError(t, err)
	d := policyInput(t, mustStep(t, p, tBucketPolicy, "archive-policy"), "policy")
	require.Len(t, d.Statement, 1)
	assert.Equal(t, components.SidDenyInsecureTransport, d.Statement[0].Sid)
}

func TestDestination_1200SourcesFitAndTheLimitIsEnforced(t *testing.T) {
	p, err := runStack(t, "destination", with(destinationConfig(), "log-archive:sourceAccountIds", accountList(1200)), nil)
	require.NoError(t, err)
	for _, pol := range p.Policies() {
		assert.LessOrEqual(t, pol.Bytes(), pol.Limit, "%s %s", pol.Resource, pol.Label)
	}
	grant := statementOf(t, policyInput(t, mustStep(t, p, tBucketPolicy, "archive-policy"), "policy"), components.SidArchiveReplication)
	assert.Len(t, grant.Condition["StringEquals"]["aws:PrincipalAccount"], 1200)

	p, err = runStack(t, "destination", with(destinationConfig(), "log-archive:sourceAccountIds", accountList(1400)), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "Pulumi.destination.yaml: log-archive:sourceAccountIds = (1400 source accounts)")
	assert.Contains(t, err.Error(), "the archive bucket policy is ")
	assert.Regexp(t, `at most 1[23]\d\d source accounts fit`, err.Error())
	assert.Contains(t, err.Error(), "over the AWS limit of 20480 bytes")
	assert.Empty(t, p.Creates(), "nothing registered")
}

func accountList(n int) string {
	ids := make([]string, n)
	for i := range ids {
		ids[i] = fmt.Sprintf(`"%012d"`, 400000000000+i)
	}
	return "[" + strings.Join(ids, ",") + "]"
}

func TestDestination_BadInputIsRejectedBeforeAnyResource(t *testing.T) {
	tests := []struct {
		name string
		cfg  map[string]string
		want []string // key, value, problem and fix fragments
	}{
		{"missing stack kind", with(destinationConfig(), "log-archive:stackKind", ""),
			[]string{"Pulumi.destination.yaml: log-archive:stackKind is not set", `Fix: set log-archive:stackKind to "destination"`}},
		{"unknown stack kind", with(destinationConfig(), "log-archive:stackKind", "archive"),
			[]string{`log-archive:stackKind = "archive": is not a stack kind`}},
		{"missing archive account", with(destinationConfig(), "log-archive:archiveAccountId", ""),
			[]string{"log-archive:archiveAccountId is not set", "Fix: set log-archive:archiveAccountId"}},
		{"missing bucket name", with(destinationConfig(), "log-archive:archiveBucketName", ""),
			[]string{"log-archive:archiveBucketName is not set"}},
		{"missing region", with(destinationConfig(), "aws:region", ""),
			[]string{"aws:region is not set", "Fix: set aws:region"}},
		{"archive account not 12 digits", with(destinationConfig(), "log-archive:archiveAccountId", "11111111111", "aws:allowedAccountIds", `["11111111111"]`),
			[]string{`log-archive:archiveAccountId = "11111111111": is not a 12-digit AWS account ID`, `Fix: write the archive account's 12-digit ID in quotes`}},
		{"source account not 12 digits", with(destinationConfig(), "log-archive:sourceAccountIds", `["222222222222","33333333333a"]`),
			[]string{`log-archive:sourceAccountIds[1] = "33333333333a": is not a 12-digit AWS account ID`}},
		{"unquoted source account", with(destinationConfig(), "log-archive:sourceAccountIds", `[22222222222]`),
			[]string{`log-archive:sourceAccountIds[0] = 22222222222: is not a quoted string`, "leading zero"}},
		{"duplicate source", with(destinationConfig(), "log-archive:sourceAccountIds", `["222222222222","333333333333","222222222222"]`),
			[]string{`log-archive:sourceAccountIds[2] = "222222222222": is listed twice (also at [0])`, "Fix: remove the duplicate"}},
		{"archive as its own source", with(destinationConfig(), "log-archive:sourceAccountIds", `["111111111111"]`),
			[]string{`log-archive:sourceAccountIds[0] = "111111111111": is the archive account itself`}},
		{"bucket name uppercase", with(destinationConfig(), "log-archive:archiveBucketName", "Acme-Logs"),
			[]string{`log-archive:archiveBucketName = "Acme-Logs": may hold only lowercase letters`, "Fix: choose a name"}},
		{"bucket name too short", with(destinationConfig(), "log-archive:archiveBucketName", "ab"), []string{`= "ab": is 2 characters`}},
		{"bucket name double dot", with(destinationConfig(), "log-archive:archiveBucketName", "acme..logs"), []string{"two adjacent dots"}},
		{"bucket name IP", with(destinationConfig(), "log-archive:archiveBucketName", "10.0.0.1"), []string{"formatted as an IP address"}},
		{"bucket name xn--", with(destinationConfig(), "log-archive:archiveBucketName", "xn--logs"), []string{`reserved prefix "xn--"`}},
		{"bucket name -s3alias", with(destinationConfig(), "log-archive:archiveBucketName", "logs-s3alias"), []string{`reserved suffix "-s3alias"`}},
		{"bucket name --ol-s3", with(destinationConfig(), "log-archive:archiveBucketName", "logs--ol-s3"), []string{`reserved suffix "--ol-s3"`}},
		{"bucket name starts with hyphen", with(destinationConfig(), "log-archive:archiveBucketName", "-logs"), []string{"must start and end with a letter or digit"}},
		{"malformed region", with(destinationConfig(), "aws:region", "eu-west"),
			[]string{`aws:region = "eu-west": is not an AWS Region code`, "Fix: use a Region code such as eu-west-1"}},
		{"unknown object lock mode", with(destinationConfig(), "log-archive:objectLock", `{"mode":"FOREVER","days":30}`),
			[]string{`log-archive:objectLock.mode = "FOREVER": is not an Object Lock mode`, "Fix: use GOVERNANCE"}},
		{"zero retention", with(destinationConfig(), "log-archive:objectLock", `{"mode":"GOVERNANCE","days":0}`),
			[]string{"log-archive:objectLock.days = 0: is not a positive number of days"}},
		{"negative retention", with(destinationConfig(), "log-archive:objectLock", `{"mode":"GOVERNANCE","days":-5}`),
			[]string{"log-archive:objectLock.days = -5"}},
		{"misspelt object lock field", with(destinationConfig(), "log-archive:objectLock", `{"mode":"GOVERNANCE","retentionDays":30}`),
			[]string{`log-archive:objectLock = {"mode":"GOVERNANCE","retentionDays":30}: cannot be read: has a field this program does not know, "retentionDays"`, "Fix: write it as {mode:"}},
		{"lifecycle IA too early", with(destinationConfig(), "log-archive:lifecycle", `{"noncurrentTransitionDays":7,"noncurrentTransitionStorageClass":"STANDARD_IA"}`),
			[]string{"log-archive:lifecycle", "after 30 days at the earliest"}},
		{"lifecycle expires before transition", with(destinationConfig(), "log-archive:lifecycle", `{"noncurrentTransitionDays":90,"noncurrentTransitionStorageClass":"GLACIER","noncurrentExpirationDays":60}`),
			[]string{"must come later than the transition"}},
		{"allowedAccountIds missing", with(destinationConfig(), "aws:allowedAccountIds", ""),
			[]string{"aws:allowedAccountIds is not set", `Fix: set aws:allowedAccountIds to ["111111111111"]`}},
		{"allowedAccountIds without the archive", with(destinationConfig(), "aws:allowedAccountIds", `["222222222222"]`),
			[]string{`aws:allowedAccountIds = ["222222222222"]: must be exactly this stack's account, 111111111111`}},
		{"allowedAccountIds with an extra account", with(destinationConfig(), "aws:allowedAccountIds", `["111111111111","222222222222"]`),
			[]string{`must be exactly this stack's account`}},
		{"key admin not an ARN", with(destinationConfig(), "log-archive:keyAdministratorArns", `["SecurityAdmin"]`),
			[]string{`log-archive:keyAdministratorArns[0] = "SecurityAdmin": is not an IAM role, user or account root ARN`}},
		{"bad role path", with(destinationConfig(), "log-archive:replicationRolePath", "log-archive"),
			[]string{`log-archive:replicationRolePath = "log-archive": is not an IAM path`}},
		{"reserved alias", with(destinationConfig(), "log-archive:keyAlias", "alias/aws/s3"),
			[]string{`log-archive:keyAlias = "alias/aws/s3": is in the alias/aws/ namespace`}},
		{"source key in a destination stack", with(destinationConfig(), "log-archive:sourceBuckets", `[{"name":"x"}]`),
			[]string{`log-archive:sourceBuckets = [{"name":"x"}]: belongs to the other kind of stack`}},
		{"source boolean off its default in a destination stack", with(destinationConfig(), "log-archive:replicationMetrics", "false"),
			[]string{`log-archive:replicationMetrics = false: belongs to the other kind of stack`}},
		{"reserved tag key", with(destinationConfig(), "log-archive:tags", `{"aws:owner":"x"}`), []string{"log-archive:tags", "reserved aws: prefix"}},
		{"tag value AWS rejects", with(destinationConfig(), "log-archive:tags", `{"owner":"alice; bob"}`),
			[]string{`log-archive:tags = {"owner":"alice; bob"}: tag "owner" has a value with a character AWS does not accept`, "Fix: keep at most 40 tags"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := runStack(t, "destination", tt.cfg, nil)
			require.Error(t, err)
			for _, w := range tt.want {
				assert.Contains(t, err.Error(), w)
			}
			assert.Contains(t, err.Error(), "nothing was created")
			assert.Empty(t, p.Steps, "the mock monitor saw no resource")
		})
	}
}

func TestDestination_AllProblemsAreReportedAtOnce(t *testing.T) {
	_, err := runStack(t, "destination", with(destinationConfig(),
		"aws:region", "nowhere", "log-archive:archiveBucketName", "A", "log-archive:sourceAccountIds", `["1"]`), nil)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "has 3 problems")
}

// A rename of the archive bucket must change nothing: the engine would apply the update's other changes
// before refusing to replace the protected bucket, among them a key policy naming the new bucket. So the
// key and the bucket policy wait for the check of the bucket's real name (the engine test shows the
// refusal against a real state).
func TestDestination_KeyAndPolicyWaitForTheBucketNameCheck(t *testing.T) {
	p, err := runStack(t, "destination", destinationConfig(), nil)
	require.NoError(t, err)
	bucket := mustStep(t, p, tBucket, "archive-bucket")
	assert.Contains(t, mustStep(t, p, tKey, "archive-key").NewState.Dependencies, bucket.URN)
	assert.Contains(t, mustStep(t, p, tBucketPolicy, "archive-policy").NewState.Dependencies, bucket.URN)

	err = (&components.BucketRenameError{Existing: "acme-log-archive", Configured: "acme-archive-2"})
	assert.EqualError(t, err, "the archive bucket is acme-log-archive, but log-archive:archiveBucketName says acme-archive-2. "+
		"S3 cannot rename a bucket and the archive's bucket is protected, so nothing was changed. Fix: set "+
		"log-archive:archiveBucketName back to acme-log-archive; a new archive bucket is a new destination stack")
}
