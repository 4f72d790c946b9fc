package policy

import (
	"encoding/json"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStrings_RenderLikeAWSNormalises(t *testing.T) {
	one, _ := Strings{"a"}.MarshalJSON()
	two, _ := Strings{"a", "b"}.MarshalJSON()
	star, _ := Principal{Everyone: true}.MarshalJSON()
	assert.Equal(t, `"a"`, string(one))
	assert.Equal(t, `["a","b"]`, string(two))
	assert.Equal(t, `"*"`, string(star))
}

// Strings reads both forms AWS writes, a string and a list, and nothing else.
func TestStrings_UnmarshalStringOrList(t *testing.T) {
	var s Strings
	require.NoError(t, json.Unmarshal([]byte(`"s3:GetObject"`), &s))
	assert.Equal(t, Strings{"s3:GetObject"}, s)
	require.NoError(t, json.Unmarshal([]byte(`["a","b"]`), &s))
	assert.Equal(t, Strings{"a", "b"}, s)
	require.NoError(t, json.Unmarshal([]byte(`null`), &s))
	assert.Nil(t, s, "null, what a nil Strings renders as, reads back as nil, not as one empty string")
	var c Conditions
	require.NoError(t, json.Unmarshal([]byte(`{"ArnLike":{"iam:PolicyARN":null}}`), &c))
	assert.Equal(t, Conditions{"ArnLike": {"iam:PolicyARN": nil}}, c)
	for _, bad := range []string{`1`, `{"a":"b"}`, `[1]`, `true`} {
		err := json.Unmarshal([]byte(bad), &s)
		assert.ErrorContains(t, err, "policy value must be a string or a list of strings", bad)
	}
}

func TestPrincipal_RoundTrip(t *testing.T) {
	for _, tc := range []struct {
		p    Principal
		json string
	}{
		{Principal{Everyone: true}, `"*"`},
		{Principal{AWS: Strings{"111111111111"}}, `{"AWS":"111111111111"}`},
		{Principal{Service: Strings{"s3.amazonaws.com"}}, `{"Service":"s3.amazonaws.com"}`},
		{Principal{Federated: Strings{"arn:aws:iam::1:oidc-provider/x"}, AWS: Strings{"a", "b"}}, `{"AWS":["a","b"],"Federated":"arn:aws:iam::1:oidc-provider/x"}`},
	} {
		b, err := json.Marshal(tc.p)
		require.NoError(t, err)
		assert.Equal(t, tc.json, string(b))
		var back Principal
		require.NoError(t, json.Unmarshal(b, &back))
		assert.Equal(t, tc.p, back)
	}
	var p Principal
	assert.ErrorContains(t, json.Unmarshal([]byte(`["*"]`), &p), "policy principal")
}

func TestMarshalNoEscape_KeepsHTMLCharactersAndNoNewline(t *testing.T) {
	b, err := MarshalNoEscape(map[string]string{"k": "a<b>&c"})
	require.NoError(t, err)
	assert.Equal(t, `{"k":"a<b>&c"}`, string(b))
	std, _ := json.Marshal(map[string]string{"k": "a<b>&c"})
	assert.NotEqual(t, string(std), string(b), "json.Marshal escapes them; AWS stores them literally")
	_, err = MarshalNoEscape(func() {})
	assert.Error(t, err)
}

func sample() Document {
	return Document{Version: Version, Statement: []Statement{{
		Sid: "Deny", Effect: "Deny", Principal: &Principal{Everyone: true}, Action: Strings{"s3:*"},
		Resource:  Strings{"arn:aws:s3:::b", "arn:aws:s3:::b/*"},
		Condition: Conditions{"Bool": {"aws:SecureTransport": {"false"}}},
	}, {
		Effect: "Allow", Action: Strings{"s3:GetObject"}, NotResource: Strings{"arn:aws:s3:::b/<x>&"},
	}}}
}

// The JSON is minified, in field order, without HTML escaping, and Size is its length.
func TestDocument_JSONAndSize(t *testing.T) {
	s, err := sample().JSON()
	require.NoError(t, err)
	want := `{"Version":"2012-10-17","Statement":[` +
		`{"Sid":"Deny","Effect":"Deny","Principal":"*","Action":"s3:*","Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"],"Condition":{"Bool":{"aws:SecureTransport":"false"}}},` +
		`{"Effect":"Allow","Action":"s3:GetObject","NotResource":"arn:aws:s3:::b/<x>&"}]}`
	assert.Equal(t, want, s)
	assert.Equal(t, len(want), sample().Size())
}

func TestParse_RoundTripAndRejectsUnknownFields(t *testing.T) {
	s, err := sample().JSON()
	require.NoError(t, err)
	d, err := Parse(s)
	require.NoError(t, err)
	assert.Equal(t, sample(), d)
	st, ok := d.StatementBySid("Deny")
	assert.True(t, ok)
	assert.Equal(t, Strings{"s3:*"}, st.Action)
	_, ok = d.StatementBySid("Other")
	assert.False(t, ok)

	_, err = Parse(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"s3:*","NotAction":"s3:Get*"}]}`)
	assert.ErrorContains(t, err, "parsing policy document")
	assert.ErrorContains(t, err, "NotAction", "a field the grammar here lacks is refused, not dropped")
	_, err = Parse(`{"Version":`)
	assert.ErrorContains(t, err, "parsing policy document")
}

func TestCheckSize_NamesDocumentSizeAndLimit(t *testing.T) {
	d := sample()
	n := d.Size()
	assert.NoError(t, CheckSize("the bucket policy", d, n, "hint"), "a document exactly at the limit fits")
	err := CheckSize("the bucket policy", d, n-1, "list fewer accounts")
	require.Error(t, err)
	assert.Equal(t, "the bucket policy is "+strconv.Itoa(n)+" bytes, over the AWS limit of "+strconv.Itoa(n-1)+" bytes: list fewer accounts", err.Error())
}
