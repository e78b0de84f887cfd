"""The claims the provider gives: the person's address, and whether it verified it (a person
whose first name is "unverified" stands for an address the provider never confirmed)."""

from oauth2_provider.oauth2_validators import OAuth2Validator


class Validator(OAuth2Validator):
    def get_additional_claims(self, request):
        user = request.user
        return {
            "email": user.email,
            "email_verified": user.first_name != "unverified",
            "name": user.get_full_name() or user.username,
        }
