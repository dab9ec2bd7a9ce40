### The insights block's words in English. Ids are the keys the code and templates use, with
### dots and underscores written as hyphens (see docs/i18n.md).

## The dashboard
insights-title = Service performance
insights-platform-title = How public services perform
insights-platform-intro = Figures for every service on Portico, counted as the work happens: how many people apply online, how many finish, how long decisions take against the legal deadline, what a transaction costs and what people think of it.
insights-administration-intro = How this administration's services perform, month by month, with each service beside the others.
insights-service-intro = How this service performs, month by month, beside the other administrations that offer the same service.
insights-period = Period
insights-how-measured = How each figure is measured
insights-kpis-title = Key figures
insights-chart-data = Show the figures as a table
insights-definitions = How each figure is measured
insights-download = Download the figures
insights-download-csv = Month by month, as CSV
insights-download-json = Everything, as JSON
insights-groups-administrations = Administrations
insights-groups-services = Services
insights-groups-template = Administrations offering the same service
insights-comments-title = What people said
insights-comments-none = No comments yet.
insights-give-feedback = Tell us what you think of this service
insights-ask = Ask this administration a question
insights-answer-label = Answer

## Figures
insights-kpi-take-up = Digital take-up
insights-kpi-take-up-hint = Applications made online, out of all applications.
insights-kpi-take-up-formula = Submitted online ÷ (submitted online + taken at the counter + received by post), as the administration enters the counter and post figures each month.
insights-kpi-completion = Completion rate
insights-kpi-completion-hint = Forms started online that were submitted.
insights-kpi-completion-formula = Applications submitted ÷ forms started, in the same period. A draft not submitted within 30 days counts as abandoned.
insights-kpi-time = Time to decision (median / 90%)
insights-kpi-time-hint = Working days from submission to decision: half were quicker than the first figure, nine in ten quicker than the second.
insights-kpi-time-formula = Working days (Bulgarian calendar, public holidays excluded) from the day of submission to the day of decision; the median and the 90th percentile (nearest rank) of all decisions in the period.
insights-kpi-deadline = Legal deadline (working days)
insights-kpi-deadline-hint = The time the law gives to decide, on average over the decisions.
insights-kpi-deadline-formula = The legal deadline in working days of each decided application, averaged over the decisions in the period.
insights-kpi-overdue = Decided late
insights-kpi-overdue-hint = Decisions taken after the legal deadline.
insights-kpi-overdue-formula = Decisions taken after the application's legal deadline ÷ all decisions, in the period.
insights-kpi-cost = Cost per transaction
insights-kpi-cost-hint = What the administration spent, per application.
insights-kpi-cost-formula = The costs the administration enters for the period ÷ (online + counter + post applications).
insights-kpi-satisfaction = User satisfaction
insights-kpi-satisfaction-hint = People who were satisfied or very satisfied.
insights-kpi-satisfaction-formula = Ratings "satisfied" or "very satisfied" ÷ all ratings, on the five-point scale people are offered after submitting and after a result; shown only when at least 5 people rated, so that no one's answer can be told.
insights-kpi-no-paper = No paper, no visit
insights-kpi-no-paper-hint = Decisions whose result reached the person's eDelivery mailbox.
insights-kpi-no-paper-formula = Results delivered to the applicant's eDelivery mailbox ÷ decisions, in the period (an online application whose result came electronically needed no paper and no visit).
insights-kpi-transactions = Applications
insights-kpi-transactions-hint = Online, at the counter and by post.
insights-kpi-transactions-formula = Submitted online + taken at the counter + received by post.
insights-kpi-inquiries = Inquiries (all / late)
insights-kpi-inquiries-hint = Questions asked, and those answered after their deadline or still open past it.
insights-kpi-inquiries-formula = Inquiries asked in the period; late: answered after their deadline of 14 working days, or unanswered and past it.

## Charts and tables
insights-chart-take-up = Applications by channel
insights-chart-take-up-desc = Bars per month: applications submitted online beside those taken at the counter or received by post. The table below gives the figures.
insights-chart-time = Working days to decision
insights-chart-time-desc = Bars per month: the median and the 90th percentile of working days from submission to decision, with the legal deadline as a dashed line. The table below gives the figures.
insights-chart-completion = Completion and satisfaction
insights-chart-completion-desc = Bars per month: the percentage of started forms that were submitted, and the percentage of ratings that were satisfied or very satisfied. The table below gives the figures.
insights-series-online = Online
insights-series-offline = Counter and post
insights-series-median = Median
insights-series-p90 = 90th percentile
insights-series-deadline = Legal deadline
insights-col-month = Month
insights-col-counter = At the counter
insights-col-post = By post
insights-col-decided = Decided
insights-col-started = Started
insights-col-ratings = Ratings
insights-col-name = Name
insights-col-transactions = Applications
insights-col-median = Median working days
insights-col-reference = Reference

## Feedback
insights-feedback-title = Give feedback on this service
insights-feedback-anonymous = Your feedback is anonymous: we keep your answer and the day, not who you are.
insights-feedback-question = Overall, how did you feel about the service you received today?
insights-rating-5 = Very satisfied
insights-rating-4 = Satisfied
insights-rating-3 = Neither satisfied nor dissatisfied
insights-rating-2 = Dissatisfied
insights-rating-1 = Very dissatisfied
insights-feedback-comment = How could we improve this service? (optional)
insights-feedback-comment-hint = Do not include personal or financial information, such as your personal number or bank details.
insights-feedback-send = Send feedback
insights-feedback-thanks = Thank you for your feedback
insights-feedback-thanks-body = We will use it to improve the service.
insights-feedback-see = See how this service performs

## Inquiries
insights-inquiry-title = Ask an administration a question
insights-inquiry-intro = Ask about a service or an application. You get a reference, and the administration answers within 14 working days.
insights-inquiry-administration = Administration
insights-inquiry-choose = Choose an administration
insights-inquiry-service = Service
insights-inquiry-service-hint = If your question is about one service.
insights-inquiry-no-service = No particular service
insights-inquiry-application = Application number (optional)
insights-inquiry-application-hint = If your question is about an application you made.
insights-inquiry-email = Email address
insights-inquiry-email-hint = We send the answer here.
insights-inquiry-email-hint-signed-in = Optional: we send the answer to your account's address unless you give another.
insights-inquiry-question = Your question
insights-inquiry-send = Send the question
insights-inquiry-sent = Your question was sent
insights-inquiry-reference = Your reference
insights-inquiry-deadline = Answer due by
insights-inquiry-waiting = Not answered yet
insights-inquiries-mine = My questions
insights-inquiries-none = You have not asked any questions.

## Back office
insights-office-inquiries = Inquiries
insights-office-overdue =
    { $count ->
        [one] { $count } inquiry is past its deadline.
       *[other] { $count } inquiries are past their deadline.
    }
insights-office-none = No open inquiries.
insights-overdue = Overdue
insights-answer-send = Send the answer
insights-office-feedback = Feedback on our services
insights-office-feedback-intro = Comments people left, newest first. Feedback is anonymous: you see the rating, the comment and the month, never who gave it. A service's comments of a month show once at least 5 people have given feedback on it that month, and its satisfaction once at least 5 have rated it.
insights-hidden = Hidden
insights-hide = Hide this comment
insights-hide-reason = Reason for hiding it
insights-figures-title = Counter, post and cost figures
insights-figures-intro = Each month, enter for each service the applications taken at the counter and received by post, and what delivering the service cost. Entering a month again replaces its figures.
insights-figures-month = Month
insights-figures-month-hint = As year and month, for example 2026-03.
insights-figures-counter = Applications at the counter
insights-figures-post = Applications by post
insights-figures-cost = Cost in euro
insights-figures-cost-hint = Everything it cost to deliver the service that month, for example 12500.00.
insights-figures-save = Save the figures
insights-figures-saved = The figures were saved
insights-figures-entered = Figures entered

## Errors
insights-error-rating = Choose how satisfied you were
insights-error-too-long = The comment must be 1200 characters or fewer
insights-error-answer = Enter an answer
insights-error-answered = This was answered already
insights-error-reason = Enter the reason, in at least 5 characters
insights-error-administration = Choose an administration
insights-error-service = Choose one of this administration's services
insights-error-reference = Enter the application number as shown on your receipt
insights-error-email = Enter an email address, like name@example.com
insights-error-question = Enter your question, in 10 to 4000 characters
insights-error-month = Enter a month up to this one, like 2026-03
insights-error-amount = Enter a whole number of 0 or more (cost: in euro, with up to 2 decimals)

## Audit actions
audit-insights-figures-entered = Monthly figures entered
audit-insights-feedback-answered = Feedback answered
audit-insights-feedback-hidden = Feedback hidden
audit-insights-inquiry-asked = Inquiry asked
audit-insights-inquiry-answered = Inquiry answered
