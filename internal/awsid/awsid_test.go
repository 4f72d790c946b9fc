package awsid

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestValidateBucketName(t *testing.T) {
	tests := []struct {
		name    string
		wantErr string // "" means valid
	}{
		{"acme-log-archive", ""},
		{"a.b-c", ""},
		{"abc", ""},
		{strings.Repeat("a", 63), ""},
		{"ab", "3 to 63"},
		{strings.Repeat("a", 64), "3 to 63"},
		{"Acme-Logs", "lowercase"},
		{"acme_logs", "lowercase"},
		{"-acme", "start and end"},
		{"acme-", "start and end"},
		{"acme..logs", "two adjacent dots"},
		{"acme.-logs", "dot next to a hyphen"},
		{"192.168.5.4", "IP address"},
		{"xn--acme", "reserved prefix"},
		{"sthree-acme", "reserved prefix"},
		{"acme-s3alias", "reserved suffix"},
		{"acme--ol-s3", "reserved suffix"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := ValidateBucketName(tt.name)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.wantErr)
			}
		})
	}
}

func TestValidateKMSKeyArn_R4_9_R1_18(t *testing.T) {
	const acct, region = "111111111111", "eu-west-1"
	tests := []struct {
		arn     string
		wantErr string
	}{
		{"arn:aws:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", ""},
		{"arn:aws:kms:eu-west-1:111111111111:key/mrk-1234abcd12ab34cd56ef1234567890ab", ""},
		{"arn:aws:kms:eu-west-1:111111111111:alias/log-archive", "not a KMS key ARN"},
		{"alias/log-archive", "not an ARN"},
		{"1234abcd-12ab-34cd-56ef-1234567890ab", "not an ARN"},
		{"arn:aws:kms:eu-west-1:999999999999:key/1234abcd-12ab-34cd-56ef-1234567890ab", "belongs to account 999999999999"},
		{"arn:aws:kms:us-east-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "in Region us-east-1"},
		{"arn:aws:s3:::bucket", "not a KMS key ARN"},
		{"arn:aws:kms:eu-west-1:111111111111:key/not-a-key-id", "does not end in a KMS key ID"},
		{"arn:aws-cn:kms:eu-west-1:111111111111:key/1234abcd-12ab-34cd-56ef-1234567890ab", "partition"},
	}
	for _, tt := range tests {
		t.Run(tt.arn, func(t *testing.T) {
			err := ValidateKMSKeyArn(tt.arn, acct, region)
			if tt.wantErr == "" {
				assert.NoError(t, err)
			} else if assert.Error(t, err) {
				assert.Contains(t, err.Error(), tt.wantErr)
			}
		})
	}
}

func TestValidateSmallIdentifiers(t *testing.T) {
	tests := []struct {
		what  string
		check func(string) error
		good  []string
		bad   []string
	}{
		{"account", ValidateAccountID, []string{"012345678901"}, []string{"", "12345678901", "1234567890123", "12345678901a"}},
		{"region", ValidateRegion, []string{"eu-west-1", "us-gov-west-1", "ap-southeast-5", "cn-north-1"},
			[]string{"", "eu-west", "EU-WEST-1", "euwest1", "us-iso-east-1"}},
		{"role name", ValidateRoleName, []string{"log-archive-replication", "a+b=c,d.e@f_g"}, []string{"", strings.Repeat("r", 65), "has space", "a/b"}},
		{"role path", ValidateRolePath, []string{"/", "/log-archive/", "/a/b/"}, []string{"", "log-archive/", "/log-archive", "/a b/"}},
		{"alias", ValidateKeyAlias, []string{"alias/log-archive", "alias/a/b_c-d"}, []string{"log-archive", "alias/aws/s3", "alias/has space", "alias/"}},
		{"principal", func(s string) error { return ValidatePrincipalArn(s, "eu-west-1") },
			[]string{"arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:root"},
			[]string{"Admin", "arn:aws:s3:::bucket", "arn:aws:iam::1111:role/Admin", "arn:aws:iam::111111111111:group/admins"}},
		{"storage class", ValidateReplicaStorageClass, []string{"", "STANDARD_IA", "DEEP_ARCHIVE"}, []string{"standard", "REDUCED_REDUNDANCY", "EXPRESS_ONEZONE"}},
	}
	for _, tt := range tests {
		for _, v := range tt.good {
			assert.NoError(t, tt.check(v), "%s %q should be accepted", tt.what, v)
		}
		for _, v := range tt.bad {
			assert.Error(t, tt.check(v), "%s %q should be rejected", tt.what, v)
		}
	}
}

func TestValidateTags(t *testing.T) {
	assert.NoError(t, ValidateTags(map[string]string{"team": "security"}))
	assert.ErrorContains(t, ValidateTags(map[string]string{"aws:createdBy": "x"}), "reserved aws: prefix")
	assert.ErrorContains(t, ValidateTags(map[string]string{"": "x"}), "1 to 128")
	assert.ErrorContains(t, ValidateTags(map[string]string{"k": strings.Repeat("v", 257)}), "256")
	assert.NoError(t, ValidateTags(map[string]string{"équipe": strings.Repeat("é", 256)}), "lengths are characters, not bytes")
	assert.NoError(t, ValidateTags(map[string]string{"cost-center": "cc/1234 = ops+sec@acme:eu_1"}))
	assert.ErrorContains(t, ValidateTags(map[string]string{"team": "sec;ops"}), "character AWS does not accept")
	assert.ErrorContains(t, ValidateTags(map[string]string{"team#1": "x"}), `tag key "team#1" has a character`)
}

// Regions are checked against the AWS SDK's list of Regions, not a pattern: a well-formed code that names
// no Region is refused, with the Regions it was probably meant to be.
func TestValidateRegion_ExistingRegionsOnly(t *testing.T) {
	for _, tc := range []struct{ region, want string }{
		{"eu-west-1", ""}, {"ca-west-1", ""}, {"mx-central-1", ""}, {"cn-northwest-1", ""}, {"us-gov-east-1", ""},
		{"eu-west-9", "is not an AWS Region (none of eu-west-1, eu-west-2, eu-west-3)"},
		{"us-east-3", "us-east-1, us-east-2"},
		{"eu-north-2", "eu-north-1"},
		{"eu-centrall-1", "is not an AWS Region (none of eu-central-1, eu-central-2)"},
		{"mars-north-1", "is not an AWS Region"},
		{"eu-west1", "is not an AWS Region code"},
		{"Eu-West-1", "is not an AWS Region code"},
		{"us-iso-east-1", "aws-iso partition, which this program does not support"},
		{"eusc-de-east-1", "aws-eusc partition"},
		{"aws-global", "is not an AWS Region"},
	} {
		t.Run(tc.region, func(t *testing.T) {
			err := ValidateRegion(tc.region)
			if tc.want == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tc.want)
			}
		})
	}
}

// The S3 endpoint KMS sees as kms:ViaService is in the partition's DNS domain (R1.13, R3.4).
func TestS3ServiceEndpoint(t *testing.T) {
	assert.Equal(t, "s3.eu-west-1.amazonaws.com", S3ServiceEndpoint("eu-west-1"))
	assert.Equal(t, "s3.cn-north-1.amazonaws.com.cn", S3ServiceEndpoint("cn-north-1"))
	assert.Equal(t, "s3.us-gov-west-1.amazonaws.com", S3ServiceEndpoint("us-gov-west-1"))
}

// Key administrators are key policy principals: KMS rejects wildcards there, and one of another
// partition can never use the key (R3.3).
func TestValidatePrincipalArn_PartitionAndWildcards(t *testing.T) {
	for _, tc := range []struct{ arn, region, want string }{
		{"arn:aws:iam::111111111111:role/SecurityAdmin", "eu-west-1", ""},
		{"arn:aws-cn:iam::111111111111:role/SecurityAdmin", "cn-north-1", ""},
		{"arn:aws-us-gov:iam::111111111111:role/Admin", "us-gov-west-1", ""},
		{"arn:aws-cn:iam::111111111111:role/SecurityAdmin", "eu-west-1", "partition aws-cn, but the key is in eu-west-1 (partition aws)"},
		{"arn:aws:iam::111111111111:role/SecurityAdmin", "cn-north-1", "partition aws, but the key is in cn-north-1 (partition aws-cn)"},
		{"arn:aws:iam::111111111111:role/Security*", "eu-west-1", "wildcard"},
		{"arn:aws:iam::111111111111:role/admins/?dmin", "eu-west-1", "wildcard"},
		{"arn:aws:iam::111111111111:user/*", "eu-west-1", "wildcard"},
	} {
		t.Run(tc.arn+" in "+tc.region, func(t *testing.T) {
			err := ValidatePrincipalArn(tc.arn, tc.region)
			if tc.want == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tc.want)
			}
		})
	}
}

// IAM paths follow IAM's pattern, have no empty segment, and hold no ArnLike wildcard (R2.4).
func TestValidateRolePath_IAMPatternAndPin(t *testing.T) {
	for _, tc := range []struct{ path, want string }{
		{"/", ""}, {"/log-archive/", ""}, {"/org/security/replication/", ""}, {"/a.b_c-d+e=f,g@h/", ""},
		{"//", "is not an IAM path"},
		{"/log-archive//", "empty segment"},
		{"/a//b/", "empty segment"},
		{"/log archive/", "is not an IAM path"},
		{"/journal/é/", "is not an IAM path"},
		{"log-archive/", "is not an IAM path"},
		{"/log-archive", "is not an IAM path"},
		{"/log-*/", "wildcards"},
		{"/log-archive?/", "wildcards"},
		{"/" + strings.Repeat("a", 511) + "/", "is not an IAM path"},
	} {
		t.Run(tc.path, func(t *testing.T) {
			err := ValidateRolePath(tc.path)
			if tc.want == "" {
				assert.NoError(t, err)
			} else {
				assert.ErrorContains(t, err, tc.want)
			}
		})
	}
}
