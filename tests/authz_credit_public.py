"""Authorization expectations for the public credit pages and the credit API (merged by
test_authorization): the lists are published for everyone, signed in or not."""

from tests.authz import every

EXPECTED = {
    "credit:public_index": ("/credit/", every(200)),
    "credit:abnormal_list": ("/credit/abnormal/?removed=1&q=协会", every(200)),
    "credit:dishonest_list": ("/credit/dishonest/?sort=name&region=440400", every(200)),
    "credit:banned_list": ("/credit/banned/", every(200)),
    "credit:announcement_list": ("/credit/announcements/", every(200)),
    "api:credit_abnormal": ("/api/v1/credit/abnormal", every(200)),
    "api:credit_dishonest": ("/api/v1/credit/dishonest?removed=true", every(200)),
    "api:credit_banned": ("/api/v1/credit/banned", every(200)),
    "api:credit_eligibility": ("/api/v1/credit/eligibility/{org_a}?purpose=procurement", every(200)),
}
