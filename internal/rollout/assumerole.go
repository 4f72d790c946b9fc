package rollout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	"log-archive/internal/cistacks"
)

// RoleKind picks which role of a .github/stacks.yaml entry a stack's Pulumi process assumes.
type RoleKind string

const (
	// DeployRole is the entry's role (log-archive-github-deployer), trusted only for the deploy
	// environments.
	DeployRole RoleKind = "deploy"
	// PreviewRole is the entry's previewRole (log-archive-github-previewer), read-only.
	PreviewRole RoleKind = "preview"
)

// WebIdentity gives each stack's Pulumi process its own account's role and nothing else, so a job whose
// shard holds several accounts never has two accounts' credentials in one process: the AWS SDKs (and so
// the AWS provider and an S3 state backend) assume AWS_ROLE_ARN with the OIDC token in
// AWS_WEB_IDENTITY_TOKEN_FILE (AWS SDKs and Tools Reference Guide, "Assuming a role with web identity or
// OpenID Connect", https://docs.aws.amazon.com/sdkref/latest/guide/access-assume-role-web.html). The job
// itself holds no AWS credentials, only GitHub's means to request an OIDC token (GH4).
type WebIdentity struct {
	Kind RoleKind
	// Dir holds the token files, one per stack; the caller removes it.
	Dir string
	// Token returns a fresh OIDC token for the audience sts.amazonaws.com; GitHubToken by default.
	Token func(ctx context.Context) (string, error)
	// Session names the role session, so CloudTrail in each account says which operation it was.
	Session string
}

var sessionUnsafe = regexp.MustCompile(`[^\w+=,.@-]`)

// Env is a StackEnv: the role, the token file, the Region, and the ambient credentials blanked so the
// web identity is the only one the SDK finds.
func (w WebIdentity) Env(ctx context.Context, s cistacks.Stack) (map[string]string, error) {
	role := s.Role
	if w.Kind == PreviewRole {
		role = s.PreviewRole
	}
	if role == "" {
		return nil, fmt.Errorf("stack %s: no %s role in %s", s.Stack, w.Kind, cistacks.File)
	}
	token := w.Token
	if token == nil {
		token = GitHubToken
	}
	jwt, err := token(ctx)
	if err != nil {
		return nil, fmt.Errorf("stack %s: an OIDC token for %s: %w", s.Stack, role, err)
	}
	file := filepath.Join(w.Dir, "token-"+s.Stack)
	if err := os.WriteFile(file, []byte(jwt), 0o600); err != nil {
		return nil, err
	}
	session := sessionUnsafe.ReplaceAllString(w.Session+"-"+s.Stack, "-")
	if len(session) > 64 { // RoleSessionName: 2 to 64 characters
		session = session[:64]
	}
	return map[string]string{
		"AWS_ROLE_ARN":                role,
		"AWS_WEB_IDENTITY_TOKEN_FILE": file,
		"AWS_ROLE_SESSION_NAME":       session,
		"AWS_REGION":                  s.Region,
		"AWS_ACCESS_KEY_ID":           "",
		"AWS_SECRET_ACCESS_KEY":       "",
		"AWS_SESSION_TOKEN":           "",
		"AWS_PROFILE":                 "",
	}, nil
}

// GitHubToken asks GitHub Actions for an OIDC token for AWS STS: the job needs `id-token: write`, which
// sets ACTIONS_ID_TOKEN_REQUEST_URL and ACTIONS_ID_TOKEN_REQUEST_TOKEN (GH4).
func GitHubToken(ctx context.Context) (string, error) {
	return githubToken(ctx, http.DefaultClient, os.Getenv("ACTIONS_ID_TOKEN_REQUEST_URL"), os.Getenv("ACTIONS_ID_TOKEN_REQUEST_TOKEN"))
}

func githubToken(ctx context.Context, client *http.Client, requestURL, bearer string) (string, error) {
	if requestURL == "" || bearer == "" {
		return "", errors.New("ACTIONS_ID_TOKEN_REQUEST_URL is not set: run in a GitHub Actions job with permissions id-token: write, or leave --assume-role out and use your own credentials")
	}
	u, err := url.Parse(requestURL)
	if err != nil {
		return "", fmt.Errorf("ACTIONS_ID_TOKEN_REQUEST_URL: %w", err)
	}
	q := u.Query()
	q.Set("audience", "sts.amazonaws.com")
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return "", err
	}
	req.Header.Set("Authorization", "bearer "+bearer)
	resp, err := client.Do(req)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return "", err
	}
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf("GitHub's OIDC token request answered %s", resp.Status)
	}
	var out struct {
		Value string `json:"value"`
	}
	if err := json.Unmarshal(body, &out); err != nil || out.Value == "" {
		return "", fmt.Errorf("GitHub's OIDC token answer has no value: %v", err)
	}
	return out.Value, nil
}
