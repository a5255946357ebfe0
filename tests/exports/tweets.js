window.YTD.tweets.part0 = [
  {"tweet": {"id_str": "1834000000000000101", "full_text": "Thanks to everyone who came to our street surgery on Burton Road today", "created_at": "Tue Sep 01 15:00:00 +0000 2026", "in_reply_to_status_id_str": null}},
  {"tweet": {"id_str": "1834000000000000102", "full_text": "@parent_m20 Thanks, glad the kids enjoyed it", "created_at": "Wed Sep 02 08:05:00 +0000 2026", "in_reply_to_status_id_str": "1834000000000000001", "in_reply_to_screen_name": "parent_m20"}}
]
