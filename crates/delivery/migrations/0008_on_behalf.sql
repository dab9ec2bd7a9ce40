-- Who acted for a company: the name of the person who opened a message for a company's mailbox
-- (a representative or someone the company authorised), and of the person who sent (answered)
-- from one, as they were named when they acted. Shown to those who read the company's mailbox.
ALTER TABLE delivery_recipients ADD COLUMN opened_by_name TEXT;
ALTER TABLE delivery_messages ADD COLUMN sent_by_name TEXT;
