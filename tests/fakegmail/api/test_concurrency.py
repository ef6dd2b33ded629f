"""Many clients writing to one mailbox at once."""

from __future__ import annotations

import threading

from tests.fakegmail.api.conftest import insert, make_raw


def test_parallel_inserts_keep_ids_and_history_consistent(account, service_for):
    clients = [service_for(account).users() for _ in range(6)]
    start = clients[0].getProfile(userId="me").execute()["historyId"]
    answers: list[dict] = []
    failures: list[BaseException] = []
    lock = threading.Lock()

    def work(users) -> None:
        try:
            for _ in range(20):
                answer = insert(users, make_raw())
                with lock:
                    answers.append(answer)
        except BaseException as error:  # reported below
            failures.append(error)

    threads = [threading.Thread(target=work, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    ids = [a["id"] for a in answers]
    assert len(set(ids)) == 120
    users = clients[0]
    assert users.getProfile(userId="me").execute()["messagesTotal"] == 120
    history = users.history().list(userId="me", startHistoryId=start, maxResults=500).execute()
    added = [r["messagesAdded"][0]["message"]["id"] for r in history["history"]]
    assert sorted(added) == sorted(ids)
    history_ids = [int(r["id"]) for r in history["history"]]
    assert history_ids == sorted(set(history_ids))
