package components

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
		{"principal", ValidatePrincipalArn, []string{"arn:aws:iam::111111111111:role/Admin", "arn:aws:iam::111111111111:user/alice", "arn:aws:iam::111111111111:root"},
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
