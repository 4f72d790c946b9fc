package awsid

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	orgIDPattern   = regexp.MustCompile(`^o-[a-z0-9]{10,32}$`)
	orgPathPattern = regexp.MustCompile(`^o-[a-z0-9]{10,32}/r-[0-9a-z]{4,32}/(ou-[0-9a-z]{4,32}-[a-z0-9]{8,32}/)*$`)
)

// ValidateOrganizationID accepts an AWS Organizations ID (R2.12).
func ValidateOrganizationID(id string) error {
	if !orgIDPattern.MatchString(id) {
		return fmt.Errorf("%q is not an AWS Organizations ID (o- and 10 to 32 lowercase letters or digits)", id)
	}
	return nil
}

// ValidateOrganizationPath accepts a path of organization orgID as aws:PrincipalOrgPaths holds it: the
// organization, its root and OUs, each followed by /, without wildcards (R2.12).
func ValidateOrganizationPath(orgID, path string) error {
	switch {
	case !strings.HasSuffix(path, "/") && orgPathPattern.MatchString(path+"/"):
		return fmt.Errorf("%q lacks the trailing /: write %s/ (aws:PrincipalOrgPaths ends every path with one)", path, path)
	case !orgPathPattern.MatchString(path):
		return fmt.Errorf("%q is not an organization path like o-a1b2c3d4e5/r-ab12/ou-ab12-11111111/ (ending in /, no wildcards)", path)
	case !strings.HasPrefix(path, orgID+"/"):
		return fmt.Errorf("%q is a path in another organization than %s", path, orgID)
	}
	// R2.12: an OU ID is ou-<root suffix>-<suffix>, the suffix of the root it is in; an OU listed under
	// another root is in no principal's aws:PrincipalOrgPaths, so the path would admit nobody.
	parts := strings.Split(strings.TrimSuffix(path, "/"), "/")
	root := strings.TrimPrefix(parts[1], "r-")
	for _, ou := range parts[2:] {
		if ouRoot := strings.Split(ou, "-")[1]; ouRoot != root {
			return fmt.Errorf("%q admits no account: %s is an OU of root r-%s, not of %s (an OU ID carries its root's ID after ou-)", path, ou, ouRoot, parts[1])
		}
	}
	return nil
}
