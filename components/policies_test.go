package components

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/policy"
)

func archiveArgs(sources ...string) *DestinationArchiveArgs {
	return &DestinationArchiveArgs{
		AccountID: "111111111111", Region: "eu-west-1", BucketName: "acme-log-archive",
		SourceAccountIDs:    sources,
		ReplicationRoleName: "log-archive-replication", ReplicationRolePath: "/log-archive/",
		KeyAlias: "alias/log-archive",
	}
}

func sourceArgs() *SourceReplicatorArgs {
	return &SourceReplicatorArgs{
		AccountID: "222222222222", Region: "us-east-2",
		Archive: ArchiveContract{
			AccountID: "111111111111", Region: "eu-west-1", BucketName: "acme-log-archive",
			KeyArn:   "arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab",
			RoleName: "log-archive-replication", RolePath: "/log-archive/",
			SourceAccountIDs: []string{"222222222222"},
		},
		Buckets: []SourceBucket{
			{Name: "trail-logs", KMSKeyArns: []string{"arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"}},
			{Name: "flow-logs", KMSKeyArns: []string{
				"arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444",
				"arn:aws:kms:us-east-2:222222222222:key/bbbbbbbb-1111-2222-3333-444444444444",
			}},
		},
	}
}

// statement fetches a statement by Sid from the document after a JSON round trip, so the assertions read
// what AWS would receive.
func statement(t *testing.T, d policy.Document, sid string) policy.Statement {
	t.Helper()
	s, err := d.JSON()
	require.NoError(t, err)
	parsed, err := policy.Parse(s)
	require.NoError(t, err)
	st, ok := parsed.StatementBySid(sid)
	require.True(t, ok, "statement %s missing from %s", sid, s)
	return st
}

func sids(d policy.Document) []string {
	var out []string
	for _, s := range d.Statement {
		out = append(out, s.Sid)
	}
	return out
}

func TestArchiveBucketPolicy_R2_1_GrantsSourcesExactlyReplicationOnObjects(t *testing.T) {
	d := archiveBucketPolicy(archiveArgs("333333333333", "222222222222"))
	assert.Equal(t, []string{SidArchiveReplication, SidDenyInsecureTransport}, sids(d))

	s := statement(t, d, SidArchiveReplication)
	assert.Equal(t, "Allow", s.Effect)
	assert.Equal(t, &policy.Principal{Everyone: true}, s.Principal, "R2.4, R2.11: no account principal that must exist")
	assert.Equal(t, policy.Strings{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"}, s.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::acme-log-archive/*"}, s.Resource)
	assert.Equal(t, policy.Conditions{
		// R2.10: a fixed list of a key S3 recognises keeps the grant to "*" non-public under Block Public Access.
		"StringEquals": {"aws:PrincipalAccount": {"222222222222", "333333333333"}},
		"ArnLike":      {"aws:PrincipalArn": {"arn:aws:iam::*:role/log-archive/log-archive-replication"}},
	}, s.Condition)
}

// R2.10: every Allow to "*" in either archive policy is pinned by a fixed value of aws:PrincipalAccount,
// kms:CallerAccount or aws:PrincipalOrgID (no wildcard, no variable), whatever the mode; wildcard-bearing
// conditions (the role pin, the OU paths) never stand alone.
func TestArchivePolicies_R2_10_EveryGrantToEveryoneIsPinnedByFixedValues(t *testing.T) {
	for name, args := range map[string]*DestinationArchiveArgs{
		"accounts":           archiveArgs("222222222222", "333333333333"),
		"organization":       withOrg(archiveArgs(), "o-a1b2c3d4e5"),
		"OU paths":           withOrg(archiveArgs(), "o-a1b2c3d4e5", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"),
		"accounts beside OU": withOrg(archiveArgs("222222222222"), "o-a1b2c3d4e5", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"),
	} {
		t.Run(name, func(t *testing.T) {
			for _, d := range []policy.Document{archiveBucketPolicy(args), archiveKeyPolicy(args)} {
				for _, s := range d.Statement {
					if s.Effect != "Allow" || !s.Principal.Everyone {
						continue
					}
					var fixed int
					for _, key := range []string{"aws:PrincipalAccount", "kms:CallerAccount", "aws:PrincipalOrgID"} {
						for _, v := range s.Condition["StringEquals"][key] {
							assert.NotContains(t, v, "*", "%s: %s is fixed", s.Sid, key)
							assert.NotContains(t, v, "$", "%s: %s holds no variable", s.Sid, key)
							fixed++
						}
					}
					assert.Positive(t, fixed, "%s grants to * without a fixed principal condition", s.Sid)
					assert.NotEmpty(t, s.Condition["ArnLike"]["aws:PrincipalArn"], "%s pins the role", s.Sid)
				}
			}
		})
	}
}

func withOrg(args *DestinationArchiveArgs, id string, paths ...string) *DestinationArchiveArgs {
	args.SourceOrganization = &SourceOrganization{ID: id, Paths: paths}
	return args
}

// R2.12: an organization, or some of its OUs, replicates in without listing accounts; each OU path admits
// that OU and those below it.
func TestArchivePolicies_R2_12_OrganizationAndOUPaths(t *testing.T) {
	args := withOrg(archiveArgs("222222222222"), "o-a1b2c3d4e5", "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/")
	bucket := archiveBucketPolicy(args)
	assert.Equal(t, []string{SidArchiveReplication, SidArchiveReplicationOrg, SidDenyInsecureTransport}, sids(bucket))
	org := statement(t, bucket, SidArchiveReplicationOrg)
	assert.Equal(t, &policy.Principal{Everyone: true}, org.Principal)
	assert.Equal(t, policy.Strings(policy.ArchiveObjectActions), org.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::acme-log-archive/*"}, org.Resource)
	assert.Equal(t, policy.Conditions{
		"StringEquals":           {"aws:PrincipalOrgID": {"o-a1b2c3d4e5"}},
		"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": {"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*", "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/*"}},
		"ArnLike":                {"aws:PrincipalArn": {"arn:aws:iam::*:role/log-archive/log-archive-replication"}},
	}, org.Condition)

	key := statement(t, archiveKeyPolicy(args), SidSourceOrgRolesUseKey)
	assert.Equal(t, policy.Strings(policy.ReplicaKeyActions), key.Action)
	assert.Equal(t, policy.Conditions{
		"StringEquals":           {"aws:PrincipalOrgID": {"o-a1b2c3d4e5"}, "kms:ViaService": {"s3.eu-west-1.amazonaws.com"}},
		"ForAnyValue:StringLike": {"aws:PrincipalOrgPaths": {"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/*", "o-a1b2c3d4e5/r-ab12/ou-ab12-22222222/*"}},
		"StringLike":             {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::acme-log-archive", "arn:aws:s3:::acme-log-archive/*"}},
		"ArnLike":                {"aws:PrincipalArn": {"arn:aws:iam::*:role/log-archive/log-archive-replication"}},
	}, key.Condition)

	whole := withOrg(archiveArgs(), "o-a1b2c3d4e5")
	assert.Equal(t, []string{SidArchiveReplicationOrg, SidDenyInsecureTransport}, sids(archiveBucketPolicy(whole)), "organization only")
	assert.NotContains(t, statement(t, archiveBucketPolicy(whole), SidArchiveReplicationOrg).Condition, "ForAnyValue:StringLike")
}

func TestSourceOrganization_Validate(t *testing.T) {
	for _, tc := range []struct {
		org  SourceOrganization
		want string
	}{
		{SourceOrganization{ID: "o-a1b2c3d4e5"}, ""},
		{SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"o-a1b2c3d4e5/r-ab12/", "o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab12-22222222/"}}, ""},
		{SourceOrganization{ID: "a1b2c3d4e5"}, "is not an AWS Organizations ID"},
		{SourceOrganization{ID: "o-ABC"}, "is not an AWS Organizations ID"},
		{SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111"}}, "lacks the trailing /: write o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/"},
		{SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-*/"}}, "no wildcards"},
		{SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"ou-ab12-11111111"}}, "is not an organization path"},
		{SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"o-zzzzzzzzzz/r-ab12/"}}, "another organization than o-a1b2c3d4e5"},
		{SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"o-a1b2c3d4e5/r-ab12/", "o-a1b2c3d4e5/r-ab12/"}}, "listed twice"},
		// R2.12: an OU ID carries its root's ID; an OU under another root admits nobody.
		{SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"o-a1b2c3d4e5/r-ab12/ou-cd34-11111111/"}}, "admits no account: ou-cd34-11111111 is an OU of root r-cd34, not of r-ab12"},
		{SourceOrganization{ID: "o-a1b2c3d4e5", Paths: []string{"o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ou-ab123-22222222/"}}, "ou-ab123-22222222 is an OU of root r-ab123, not of r-ab12"},
	} {
		err := tc.org.Validate()
		if tc.want == "" {
			assert.NoError(t, err, "%+v", tc.org)
		} else {
			assert.ErrorContains(t, err, tc.want, "%+v", tc.org)
		}
	}
}

func TestArchiveBucketPolicy_H1_DeniesPlainHTTPOnBucketAndObjects(t *testing.T) {
	s := statement(t, archiveBucketPolicy(archiveArgs("222222222222")), SidDenyInsecureTransport)
	assert.Equal(t, "Deny", s.Effect)
	assert.True(t, s.Principal.Everyone)
	assert.Equal(t, policy.Strings{"s3:*"}, s.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::acme-log-archive", "arn:aws:s3:::acme-log-archive/*"}, s.Resource)
	assert.Equal(t, policy.Conditions{"Bool": {"aws:SecureTransport": {"false"}}}, s.Condition)
}

func TestArchiveBucketPolicy_R2_2_NeverGrantsBucketLevelActions(t *testing.T) {
	js, err := archiveBucketPolicy(archiveArgs("222222222222")).JSON()
	require.NoError(t, err)
	for _, forbidden := range []string{"PutBucketVersioning", "GetBucketVersioning", "s3:List", "s3:Put", "s3:Delete"} {
		assert.NotContains(t, js, forbidden)
	}
}

func TestArchivePolicies_NoSourcesYet_OnlyProtectiveStatements(t *testing.T) {
	assert.Equal(t, []string{SidDenyInsecureTransport}, sids(archiveBucketPolicy(archiveArgs())))
	assert.Equal(t, []string{SidArchiveAccountAdmin}, sids(archiveKeyPolicy(archiveArgs())))
}

func TestArchiveKeyPolicy_R3_6_ArchiveRootKeepsControl(t *testing.T) {
	s := statement(t, archiveKeyPolicy(archiveArgs("222222222222")), SidArchiveAccountAdmin)
	assert.Equal(t, "Allow", s.Effect)
	assert.Equal(t, policy.Strings{"arn:aws:iam::111111111111:root"}, s.Principal.AWS)
	assert.Equal(t, policy.Strings{"kms:*"}, s.Action)
	assert.Equal(t, policy.Strings{"*"}, s.Resource)
	assert.Empty(t, s.Condition)
}

func TestArchiveKeyPolicy_R3_2_R3_4_R1_16_SourcesEncryptOnlyViaS3ForTheArchiveBucket(t *testing.T) {
	s := statement(t, archiveKeyPolicy(archiveArgs("333333333333", "222222222222")), SidSourceRolesUseKey)
	assert.Equal(t, "Allow", s.Effect)
	assert.Equal(t, &policy.Principal{Everyone: true}, s.Principal, "R3.3: no account principal that must exist at PutKeyPolicy")
	assert.Equal(t, policy.Strings{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"}, s.Action)
	assert.Equal(t, policy.Strings{"*"}, s.Resource)
	assert.Equal(t, policy.Conditions{
		"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}, "kms:CallerAccount": {"222222222222", "333333333333"}},
		"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::acme-log-archive", "arn:aws:s3:::acme-log-archive/*"}},
		"ArnLike":      {"aws:PrincipalArn": {"arn:aws:iam::*:role/log-archive/log-archive-replication"}},
	}, s.Condition)
}

func TestArchiveKeyPolicy_KeyAdministratorsCannotDisableOrDelete(t *testing.T) {
	args := archiveArgs("222222222222")
	args.KeyAdministratorArns = []string{"arn:aws:iam::111111111111:role/SecurityAdmin"}
	s := statement(t, archiveKeyPolicy(args), SidKeyAdministrators)
	assert.Equal(t, policy.Strings{"arn:aws:iam::111111111111:role/SecurityAdmin"}, s.Principal.AWS)
	assert.Equal(t, policy.Strings(KeyAdministratorActions), s.Action)
	// No action, wildcards included, covers what would destroy the archive key or read the archive.
	for _, a := range s.Action {
		for _, forbidden := range []string{"kms:DisableKey", "kms:DisableKeyRotation", "kms:ScheduleKeyDeletion",
			"kms:DeleteAlias", "kms:CreateGrant", "kms:PutKeyPolicy", "kms:Decrypt", "kms:Encrypt", "kms:ReEncryptFrom"} {
			assert.False(t, iamActionMatches(a, forbidden), "administrator action %s covers %s", a, forbidden)
		}
	}
}

func TestArchivePolicies_ChinaPartitionUsesItsARNsAndEndpoint(t *testing.T) {
	args := archiveArgs("222222222222")
	args.Region = "cn-north-1"
	s := statement(t, archiveKeyPolicy(args), SidSourceRolesUseKey)
	assert.Equal(t, policy.Strings{"arn:aws-cn:iam::*:role/log-archive/log-archive-replication"}, s.Condition["ArnLike"]["aws:PrincipalArn"])
	assert.Equal(t, policy.Strings{"s3.cn-north-1.amazonaws.com.cn"}, s.Condition["StringEquals"]["kms:ViaService"])
	assert.Equal(t, policy.Strings{"arn:aws-cn:s3:::acme-log-archive/*"}, statement(t, archiveBucketPolicy(args), SidArchiveReplication).Resource)
}

func TestReplicationTrustPolicy_R1_1_R1_2_OnlyS3WithoutConditions(t *testing.T) {
	d := replicationTrustPolicy()
	require.Len(t, d.Statement, 1)
	s := statement(t, d, sidTrustS3)
	assert.Equal(t, "Allow", s.Effect)
	assert.Equal(t, &policy.Principal{Service: policy.Strings{"s3.amazonaws.com"}}, s.Principal)
	assert.Equal(t, policy.Strings{"sts:AssumeRole"}, s.Action)
	assert.Empty(t, s.Condition, "R1.2: no aws:SourceAccount/aws:SourceArn")
}

func TestReplicationRolePolicy_EveryStatement(t *testing.T) {
	d := replicationRolePolicy(sourceArgs(), nil)
	assert.Equal(t, []string{SidReadSourceConfiguration, SidReadSourceVersions, SidReplicateIntoArchive, SidDecryptSourceObjects, SidEncryptReplicas}, sids(d))
	keyA := "arn:aws:kms:us-east-2:222222222222:key/aaaaaaaa-1111-2222-3333-444444444444"
	keyB := "arn:aws:kms:us-east-2:222222222222:key/bbbbbbbb-1111-2222-3333-444444444444"
	tests := []struct {
		sid       string
		actions   policy.Strings
		resources policy.Strings
		condition policy.Conditions
	}{
		{SidReadSourceConfiguration, // R1.4
			policy.Strings{"s3:GetReplicationConfiguration", "s3:ListBucket"},
			policy.Strings{"arn:aws:s3:::trail-logs", "arn:aws:s3:::flow-logs"}, nil},
		{SidReadSourceVersions, // R1.5, R1.6
			policy.Strings{"s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging"},
			policy.Strings{"arn:aws:s3:::trail-logs/*", "arn:aws:s3:::flow-logs/*"}, nil},
		{SidReplicateIntoArchive, // R1.8, R1.10
			policy.Strings{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"},
			policy.Strings{"arn:aws:s3:::acme-log-archive/*"}, nil},
		{SidDecryptSourceObjects, // R1.13, R1.16: source Region, both context forms of every source bucket
			policy.Strings{"kms:Decrypt"}, policy.Strings{keyA, keyB}, policy.Conditions{
				"StringEquals": {"kms:ViaService": {"s3.us-east-2.amazonaws.com"}},
				"StringLike": {"kms:EncryptionContext:aws:s3:arn": {
					"arn:aws:s3:::trail-logs", "arn:aws:s3:::trail-logs/*", "arn:aws:s3:::flow-logs", "arn:aws:s3:::flow-logs/*"}},
			}},
		{SidEncryptReplicas, // R1.14, R1.15, R1.16: archive Region and bucket
			policy.Strings{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"},
			policy.Strings{"arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab"}, policy.Conditions{
				"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}},
				"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::acme-log-archive", "arn:aws:s3:::acme-log-archive/*"}},
			}},
	}
	for _, tt := range tests {
		t.Run(tt.sid, func(t *testing.T) {
			s := statement(t, d, tt.sid)
			assert.Equal(t, "Allow", s.Effect)
			assert.Nil(t, s.Principal)
			assert.Equal(t, tt.actions, s.Action)
			assert.Equal(t, tt.resources, s.Resource)
			assert.Equal(t, tt.condition, s.Condition)
		})
	}
	js, _ := d.JSON()
	assert.NotContains(t, js, `"s3:GetObjectVersion"`, "R1.5: GetObjectVersion does not replicate SSE-KMS objects")
}

func TestReplicationRolePolicy_R1_7_ObjectLockReadsOnlyForLockedBuckets(t *testing.T) {
	args := sourceArgs()
	assert.NotContains(t, sids(replicationRolePolicy(args, nil)), SidReadSourceObjectLock)

	args.Buckets[1].ObjectLock = true
	s := statement(t, replicationRolePolicy(args, nil), SidReadSourceObjectLock)
	assert.Equal(t, policy.Strings{"s3:GetObjectRetention", "s3:GetObjectLegalHold"}, s.Action)
	assert.Equal(t, policy.Strings{"arn:aws:s3:::flow-logs/*"}, s.Resource)
}

func TestArchivePolicies_1200SourcesFitTheirLimits(t *testing.T) {
	args := archiveArgs(accounts(1200)...)
	require.NoError(t, args.Validate())
	assert.LessOrEqual(t, archiveBucketPolicy(args).Size(), policy.BucketPolicyLimit, "R2.9")
	assert.LessOrEqual(t, archiveKeyPolicy(args).Size(), policy.KeyPolicyLimit, "R3.5")
	// 15 bytes per added account in each policy: `"<12 digits>",`, against 33 for an account-root principal.
	for _, policy := range []func(*DestinationArchiveArgs) policy.Document{archiveBucketPolicy, archiveKeyPolicy} {
		assert.Equal(t, 15, policy(archiveArgs(accounts(1201)...)).Size()-policy(args).Size())
	}
	// An organization costs a fixed amount, whatever the number of member accounts.
	assert.Less(t, archiveBucketPolicy(withOrg(archiveArgs(), "o-a1b2c3d4e5")).Size(), 1000)
}

func TestArchivePolicies_TooManySourcesNamesCountAndLimit(t *testing.T) {
	args := archiveArgs(accounts(1400)...)
	err := args.Validate()
	require.Error(t, err)
	o := ArchivePolicyOverflow(args)
	require.NotNil(t, o)
	require.Len(t, o.Lists, 1)
	fit := o.Lists[0].Fit
	assert.Contains(t, err.Error(), "the archive bucket policy is ")
	assert.Contains(t, err.Error(), "over the AWS limit of 20480 bytes (R2.9)")
	assert.Contains(t, err.Error(), "SourceAccountIDs: (1400 source accounts) the archive bucket policy is ")
	assert.Contains(t, err.Error(), fmt.Sprintf("at most %d source accounts fit", fit))
	assert.LessOrEqual(t, archiveBucketPolicy(archiveArgs(accounts(fit)...)).Size(), policy.BucketPolicyLimit)
	assert.Greater(t, archiveBucketPolicy(archiveArgs(accounts(fit+1)...)).Size(), policy.BucketPolicyLimit)
}

// The list that overflows a policy is the one named, with how many of it fit beside the others as they
// are; when no list alone can be shortened enough, every list that is not empty is named.
func TestArchivePolicyOverflow_NamesTheListThatIsTooLong(t *testing.T) {
	paths := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("o-a1b2c3d4e5/r-ab12/ou-ab12-%08d/", i)
		}
		return out
	}
	admins := func(n int) []string {
		out := make([]string, n)
		for i := range out {
			out[i] = fmt.Sprintf("arn:aws:iam::111111111111:role/KeyAdministrator%04d", i)
		}
		return out
	}
	withPaths := func(a *DestinationArchiveArgs, p []string) *DestinationArchiveArgs {
		a.SourceOrganization = &SourceOrganization{ID: "o-a1b2c3d4e5", Paths: p}
		return a
	}
	withAdmins := func(a *DestinationArchiveArgs, p []string) *DestinationArchiveArgs {
		a.KeyAdministratorArns = p
		return a
	}
	for _, tc := range []struct {
		name  string
		args  *DestinationArchiveArgs
		field []string
	}{
		{"500 paths, 2 accounts", withPaths(archiveArgs(accounts(2)...), paths(500)), []string{"SourceOrganization.Paths"}},
		{"1000 administrators, 2 accounts", withAdmins(archiveArgs(accounts(2)...), admins(1000)), []string{"KeyAdministratorArns"}},
		{"1400 accounts", archiveArgs(accounts(1400)...), []string{"SourceAccountIDs"}},
		{"too many of both, neither alone enough", withPaths(archiveArgs(accounts(1400)...), paths(500)),
			[]string{"SourceAccountIDs", "SourceOrganization.Paths"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := ArchivePolicyOverflow(tc.args)
			require.NotNil(t, o)
			var fields []string
			for _, l := range o.Lists {
				fields = append(fields, l.Field)
				if len(tc.field) > 1 {
					assert.Equal(t, -1, l.Fit, "no list alone is enough")
					continue
				}
				require.Positive(t, l.Fit)
				// Exactly Fit of the list's first items fit; one more does not.
				for _, n := range []int{l.Fit, l.Fit + 1} {
					probe := *tc.args
					for _, list := range archiveLists {
						if list.field == l.Field {
							list.set(&probe, list.get(tc.args)[:n])
						}
					}
					assert.Equal(t, n == l.Fit, archivePoliciesFit(&probe), "%d %s", n, l.Noun)
				}
			}
			assert.Equal(t, tc.field, fields)
		})
	}
}

func accounts(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%012d", 200000000000+i)
	}
	return out
}

// iamActionMatches reports whether an IAM action pattern (with a trailing * wildcard) covers an action.
func iamActionMatches(pattern, action string) bool {
	if prefix, wildcard := strings.CutSuffix(pattern, "*"); wildcard {
		return strings.HasPrefix(action, prefix)
	}
	return pattern == action
}

func TestIAMActionMatches(t *testing.T) {
	assert.True(t, iamActionMatches("kms:Create*", "kms:CreateGrant"))
	assert.True(t, iamActionMatches("kms:*", "kms:Decrypt"))
	assert.False(t, iamActionMatches("kms:CreateAlias", "kms:CreateGrant"))
}
