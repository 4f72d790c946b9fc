package components

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"log-archive/internal/policy"
)

func asPrincipals(args *DestinationArchiveArgs) *DestinationArchiveArgs {
	args.SourcePrincipals = SourceAccountsAsPrincipals
	return args
}

// R2.10, R2.11, R2.13: the fallback names each listed account's root as a fixed principal, never "*", and
// keeps the role pin; the key grant keeps every other condition of the default mode.
func TestArchivePolicies_R2_10_AccountPrincipalsExactStatements(t *testing.T) {
	args := asPrincipals(archiveArgs("333333333333", "222222222222"))
	roots := &policy.Principal{AWS: policy.Strings{"arn:aws:iam::222222222222:root", "arn:aws:iam::333333333333:root"}}
	pin := map[string]policy.Strings{"aws:PrincipalArn": {"arn:aws:iam::*:role/log-archive/log-archive-replication"}}

	bucket := archiveBucketPolicy(args)
	assert.Equal(t, []string{SidArchiveReplication, SidDenyInsecureTransport}, sids(bucket))
	assert.Equal(t, policy.Statement{
		Sid: SidArchiveReplication, Effect: "Allow", Principal: roots,
		Action:    policy.Strings{"s3:ReplicateObject", "s3:ReplicateDelete", "s3:ReplicateTags", "s3:ObjectOwnerOverrideToBucketOwner"},
		Resource:  policy.Strings{"arn:aws:s3:::acme-log-archive/*"},
		Condition: policy.Conditions{"ArnLike": pin},
	}, statement(t, bucket, SidArchiveReplication))

	key := archiveKeyPolicy(args)
	assert.Equal(t, []string{SidArchiveAccountAdmin, SidSourceRolesUseKey}, sids(key))
	assert.Equal(t, policy.Statement{
		Sid: SidSourceRolesUseKey, Effect: "Allow", Principal: roots,
		Action:   policy.Strings{"kms:Encrypt", "kms:GenerateDataKey", "kms:Decrypt"},
		Resource: policy.Strings{"*"},
		Condition: policy.Conditions{
			"ArnLike":      pin,
			"StringEquals": {"kms:ViaService": {"s3.eu-west-1.amazonaws.com"}},
			"StringLike":   {"kms:EncryptionContext:aws:s3:arn": {"arn:aws:s3:::acme-log-archive", "arn:aws:s3:::acme-log-archive/*"}},
		},
	}, statement(t, key, SidSourceRolesUseKey))
}

// R2.10: in the fallback no Allow of either archive policy is to "*", so neither can be judged public.
func TestArchivePolicies_R2_10_AccountPrincipalsGrantNothingToEveryone(t *testing.T) {
	args := asPrincipals(archiveArgs("222222222222"))
	args.KeyAdministratorArns = []string{"arn:aws:iam::111111111111:role/SecurityAdmin"}
	for _, d := range []policy.Document{archiveBucketPolicy(args), archiveKeyPolicy(args)} {
		for _, s := range d.Statement {
			if s.Effect == "Allow" {
				assert.False(t, s.Principal.Everyone, "%s grants to *", s.Sid)
			}
		}
	}
}

func TestArchivePolicies_AccountPrincipalsUseThePartition(t *testing.T) {
	args := asPrincipals(archiveArgs("222222222222"))
	args.Region = "cn-north-1"
	for _, d := range []policy.Document{archiveBucketPolicy(args), archiveKeyPolicy(args)} {
		var found bool
		for _, s := range d.Statement {
			if s.Sid == SidArchiveReplication || s.Sid == SidSourceRolesUseKey {
				assert.Equal(t, policy.Strings{"arn:aws-cn:iam::222222222222:root"}, s.Principal.AWS)
				found = true
			}
		}
		assert.True(t, found)
	}
}

func TestValidateSourcePrincipals(t *testing.T) {
	org := &SourceOrganization{ID: "o-a1b2c3d4e5"}
	tests := []struct {
		mode SourcePrincipalMode
		org  *SourceOrganization
		want string // "" for accepted
	}{
		{"", nil, ""},
		{SourceAccountsInCondition, nil, ""},
		{SourceAccountsAsPrincipals, nil, ""},
		{SourceAccountsInCondition, org, ""},
		{"", org, ""},
		{"accountprincipals", nil, `"accountprincipals" is not accountCondition or accountPrincipals`},
		{"principals", nil, `"principals" is not accountCondition or accountPrincipals`},
		{SourceAccountsAsPrincipals, org, "accountPrincipals cannot be combined with a source organization"},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("%s/org=%v", tt.mode, tt.org != nil), func(t *testing.T) {
			err := ValidateSourcePrincipals(tt.mode, tt.org)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			require.Error(t, err)
			assert.Contains(t, err.Error(), tt.want)
		})
	}
	// The component refuses it too, before anything is registered.
	args := withOrg(asPrincipals(archiveArgs("222222222222")), "o-a1b2c3d4e5")
	require.Error(t, args.Validate())
	assert.Contains(t, args.Validate().Error(), "SourcePrincipals")
}

// R2.9, R2.11: an account principal costs 33 bytes against 15 for a condition value, so fewer fit; the size
// error gives the figure of both modes, the archive's own first.
func TestArchivePolicies_TooManySourcesNamesTheFitOfBothModes(t *testing.T) {
	fit := func(args *DestinationArchiveArgs) int { // the most listed accounts whose policies fit
		n := 0
		for archiveBucketPolicy(args).Size() <= policy.BucketPolicyLimit && archiveKeyPolicy(args).Size() <= policy.KeyPolicyLimit {
			n += 50
			args.SourceAccountIDs = accounts(n)
		}
		for archiveBucketPolicy(args).Size() > policy.BucketPolicyLimit || archiveKeyPolicy(args).Size() > policy.KeyPolicyLimit {
			n--
			args.SourceAccountIDs = accounts(n)
		}
		return n
	}
	inCondition := fit(archiveArgs())
	asPrincipal := fit(asPrincipals(archiveArgs()))
	assert.Less(t, asPrincipal, inCondition)
	for _, policy := range []func(*DestinationArchiveArgs) policy.Document{archiveBucketPolicy, archiveKeyPolicy} {
		assert.Equal(t, 33, policy(asPrincipals(archiveArgs(accounts(11)...))).Size()-policy(asPrincipals(archiveArgs(accounts(10)...))).Size())
	}

	err := asPrincipals(archiveArgs(accounts(asPrincipal + 1)...)).Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("SourceAccountIDs: (%d source accounts) ", asPrincipal+1))
	assert.Contains(t, err.Error(), fmt.Sprintf("at most %d source accounts fit with the other lists as they are (%d as accountPrincipals, %d as accountCondition)",
		asPrincipal, asPrincipal, asPrincipal+1))

	err = archiveArgs(accounts(inCondition + 1)...).Validate()
	require.Error(t, err)
	assert.Contains(t, err.Error(), fmt.Sprintf("at most %d source accounts fit with the other lists as they are (%d as accountCondition, %d as accountPrincipals)",
		inCondition, inCondition, asPrincipal))
}
